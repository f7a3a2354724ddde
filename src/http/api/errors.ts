// How the API and the MCP server answer a failed call: the error catalog's code and message, and
// the HTTP status its kind of error takes (401 no token, 403 not allowed, 404 not found, 409 the
// state does not allow it now, 400 bad input).
import {
  ConflictError,
  DomainError,
  type ErrorCode,
  NotFoundError,
  RefusedError,
  ValidationError,
} from '../../errors.ts';

/** Refusals about the state of the run or step (someone else acted first): 409, not 403. */
const STATE_CONFLICTS: ReadonlySet<ErrorCode> = new Set([
  'run_closed',
  'step_not_active',
  'step_not_blocked',
  'already_delivered',
  'already_acknowledged',
  'awaiting_owners',
  'gdpr_clock_stopped',
  'cannot_reject',
  'step_required',
  'skip_not_allowed',
  'step_linked',
  'linked_runs_open',
]);

/** The HTTP status of a domain error. */
export function statusOf(err: DomainError): number {
  if (err.code === 'unauthorized') return 401;
  if (err.code === 'rate_limited') return 429;
  if (err instanceof ConflictError) return 409;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof RefusedError) {
    if (err.code === 'rationale_required') return 400;
    // The path names a step the run does not have.
    if (err.code === 'no_such_step') return 404;
    return STATE_CONFLICTS.has(err.code) ? 409 : 403;
  }
  if (err instanceof ValidationError) return 400;
  return 400;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The error as the API answers it: `{"error": {"code", "message"}}`. */
export const errorBody = (code: string, message: string) => ({ error: { code, message } });

/** A failed call's answer; null for an error that is not the domain's (a bug: 500). */
export function errorAnswer(err: unknown): ApiAnswer | null {
  if (!(err instanceof DomainError)) return null;
  return { status: statusOf(err), body: errorBody(err.code, err.message) };
}
