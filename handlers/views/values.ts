// Reading a submitted modal: every input's action_id equals its block_id, but only the block
// is relied on (the first element in it), so a renamed action_id cannot lose a value.
import { ValidationError } from '../../src/errors.ts';
import { parseStepRef } from '../../src/slack/ids.ts';

type Element = {
  value?: string | null;
  selected_option?: { value?: string } | null;
  selected_options?: { value?: string }[] | null;
  selected_users?: string[] | null;
  selected_user?: string | null;
};
export type StateValues = Record<string, Record<string, unknown>>;

const element = (values: StateValues, block: string): Element | undefined =>
  Object.values(values[block] ?? {})[0] as Element | undefined;

/** A text input's value or a single choice's value, trimmed; null when empty. */
export function fieldValue(values: StateValues, block: string): string | null {
  const e = element(values, block);
  const v = e?.value ?? e?.selected_option?.value ?? e?.selected_user ?? null;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/** A multi-select's values (options, users). */
export function fieldValues(values: StateValues, block: string): string[] {
  const e = element(values, block);
  if (e?.selected_users) return e.selected_users;
  return (e?.selected_options ?? []).map((o) => o.value).filter((v): v is string => typeof v === 'string');
}

/** A yes/no choice as a boolean; undefined when not answered. */
export function fieldYesNo(values: StateValues, block: string): boolean | undefined {
  const v = fieldValue(values, block);
  return v === 'yes' ? true : v === 'no' ? false : undefined;
}

/** A required text: shown as an error on its field when missing. */
export function requireField(values: StateValues, block: string, message: string): string {
  const v = fieldValue(values, block);
  if (!v) throw new ValidationError('field_required', message, { field: block });
  return v;
}

/** The run and step a step modal is about (its private_metadata). */
export function stepRefOfView(privateMetadata: string | undefined): { runId: string; stepKey: string } {
  const ref = parseStepRef(privateMetadata);
  if (!ref) throw new ValidationError('bad_step_ref', 'This form no longer points at a step.');
  return ref;
}
