// Checking a payload against a source's schema: a body that is not the format is an
// AlertFormatError naming the first field at fault.
import type { z } from 'zod';
import { AlertFormatError } from '../alert.ts';

export function parsePayload<S extends z.ZodType>(tool: string, schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const at = issue?.path.length ? issue.path.join('.') : 'the body';
  throw new AlertFormatError(
    `Not ${/^[AEIOU]/i.test(tool) ? 'an' : 'a'} ${tool} webhook payload: ${at}: ${issue?.message ?? 'invalid'}.`,
  );
}
