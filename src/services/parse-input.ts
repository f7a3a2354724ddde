// Parsing what a surface hands a verb (or an API request's part) with its zod schema: a bad
// value is one ValidationError naming the field at fault, the same on every surface.
import type { z } from 'zod';
import { ValidationError } from '../errors.ts';

/** Parse with a schema; a bad value is a ValidationError naming `what` and the first field at fault. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  details: Record<string, unknown> = {},
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw new ValidationError(
    'bad_input',
    `${what}: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid input'}`,
    {
      ...details,
      path: field,
      issues: parsed.error.issues,
    },
  );
}
