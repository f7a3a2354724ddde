// Reading what a pressed element carries: a button's value, an overflow's or select's option.
import { ValidationError } from '../../src/errors.ts';
import { parseRunRef, parseStepRef } from '../../src/slack/ids.ts';

type Action = { value?: string; selected_option?: { value?: string } | null };

export function actionValue(action: unknown): string | null {
  const a = action as Action;
  return a.value ?? a.selected_option?.value ?? null;
}

/** The run and step a step button is about. */
export function stepRefOf(action: unknown): { runId: string; stepKey: string } {
  const ref = parseStepRef(actionValue(action));
  if (!ref) throw new ValidationError('bad_step_ref', 'This button does not point at a step any more.');
  return ref;
}

/** The run a run button is about. */
export function runRefOf(action: unknown): string {
  const runId = parseRunRef(actionValue(action));
  if (!runId) throw new ValidationError('bad_run_ref', 'This button does not point at a run any more.');
  return runId;
}
