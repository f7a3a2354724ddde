// Coded errors, as Bolt does: a string `code` the central error handler can show kindly. Every
// code is in one catalog, with what it means: API and MCP clients rely on them staying stable.

import { plainText, type Text } from './domain/text.ts';

/** Every error code the bot gives, with what it means. */
export const ERROR_CODES = {
  // Refused: the actor may not do this now; nothing changed.
  not_owner: 'Only an owner of the step, or an admin, may act on it.',
  not_admin: 'Only an admin may do this.',
  not_requester: 'Only the requester may do this.',
  not_privacy: 'Only Privacy, or Ghabs accepting the risk in writing, may lift this block.',
  independence_rule: 'Whoever did the work may not also approve it.',
  run_closed: 'The run is closed: done, rejected or cancelled.',
  step_not_active: 'The step is not waiting on anyone now.',
  step_not_blocked: 'The step is not blocked.',
  gdpr_clock_stopped: 'The GDPR clock of the run has already stopped.',
  not_incident: 'Only an incident has this.',
  not_allowed: 'Only the requester or an admin may do this to the run.',
  already_delivered: 'The actor already recorded their part of the step.',
  already_acknowledged: 'The step was already acknowledged.',
  awaiting_owners: 'The step needs its owners to deliver before approval.',
  cannot_reject: 'The step cannot reject the run; block it instead.',
  step_required: 'The step is mandatory and cannot be skipped.',
  skip_not_allowed: 'The playbook does not allow skipping the step.',
  rationale_required: 'Accepting the risk needs a written rationale.',
  decision_pending: "An agent's decision on the step waits for a person to confirm it.",
  no_decision: 'No agent decision waits on the step.',
  step_linked: 'The step runs as a linked run of another chain: it is done when that run is.',
  linked_runs_open:
    'The run waits on linked runs still open: say whether to cancel them too (linked: cancel) or keep them (linked: keep).',
  not_confirmer:
    "Only a person on the escalation path of the deciding role, or an admin, may judge an agent's decision.",
  // Not found: something asked for does not exist.
  run_not_found: 'There is no run with that ID.',
  unknown_chain: 'There is no chain with that name.',
  no_such_step: 'The run has no step with that key.',
  no_such_role: 'The step has no owner role of that name.',
  unknown_role: 'There is no role with that name.',
  unknown_usergroup: 'Slack has no user group with that ID.',
  pending_not_found: 'The request waiting for a choice is gone.',
  no_gdpr_clock: 'The run has no GDPR clock.',
  backup_no_database: 'There is no database to back up.',
  // Invalid input: nothing changed.
  bad_input: 'The input does not have the expected shape.',
  unknown_verb: 'There is no verb of that name.',
  no_user: 'The request names no user to act as.',
  field_required: 'A required field is empty.',
  empty_request: 'The request says nothing.',
  too_little: 'The request says too little to start a workflow.',
  bad_requester: 'The requester is not a user ID.',
  bad_member: 'A role holder is neither a user nor a user group.',
  no_members: 'A role needs at least one holder.',
  no_role: 'No role was named.',
  empty_usergroup: 'The user group has nobody in it.',
  usergroup_unchecked: 'The user group could not be checked with Slack; try again.',
  assignee_required: 'Name who takes the step.',
  reason_required: 'Give a reason.',
  bad_step_ref: 'The step reference is malformed.',
  bad_run_ref: 'The run reference is malformed.',
  bad_choice: 'That is not one of the choices offered.',
  bad_snooze: 'That is not a snooze duration the bot takes.',
  bad_gdpr: 'The GDPR notification record is malformed.',
  bad_digest: 'That is not a digest kind (daily or weekly).',
  bad_channel: 'That is not a channel ID.',
  bad_metadata: 'The message metadata is malformed.',
  bad_facts: 'A fact is not one the step collects, or its value is not a valid one.',
  backup_same_file: 'A backup cannot overwrite the database itself.',
  backup_no_folder: 'The folder of the backup file does not exist.',
  backup_memory: 'An in-memory database cannot be backed up.',
  // The HTTP API and the MCP server.
  unauthorized: 'The request has no valid API token (Authorization: Bearer <token>).',
  token_alerts_only: 'An alerts token may only post monitoring alerts.',
  rate_limited: 'Too many requests with this token; wait as long as Retry-After says.',
  idempotency_in_progress: 'A request with this Idempotency-Key is still being handled.',
  idempotency_answer_lost:
    'A request with this Idempotency-Key was acted on, but its answer was lost when the bot stopped.',
  idempotency_key_reused: 'This Idempotency-Key was used for another request.',
  bad_json: 'The body is not valid JSON.',
  body_too_large: 'The body is over the size the path takes.',
  not_found: 'Nothing is served at that path.',
  method_not_allowed: 'The path does not take that method.',
  internal: 'Something went wrong inside the bot; it was logged.',
  token_exists: 'A token of that name already exists.',
  token_not_found: 'There is no token of that name.',
  bad_token_name: 'A token name is 1 to 64 letters, digits, dots, dashes or underscores.',
  webhook_not_found: 'There is no webhook subscription with that id.',
  bad_webhook_url: 'A webhook URL is an http(s) URL.',
  // Conflict: another writer changed the state first.
  run_changed: 'The run changed while this was being done; try again.',
  step_changed: 'The step changed while this was being done; try again.',
  // Alerts from monitoring.
  unknown_alert_source: 'There is no alert source of that name.',
  bad_alert: "The body is not the source's webhook payload.",
  bad_signature: "The source's signature is missing, wrong or stale.",
  alerts_token_required: 'Alerts are posted with an alerts token (tokens create --alerts).',
  alert_intake_off: 'INCIDENT_CHANNEL is not set: alerts cannot open incidents.',
  write_conflict: 'Another process wrote the same rows at the same moment; try again.',
  // Configuration.
  config_invalid: 'A setting is missing or malformed.',
  database_unsupported: 'DATABASE_URL names a database ProjectLead cannot use yet.',
  database_unreachable: 'The database DATABASE_URL names cannot be reached or migrated.',
  copy_target_not_empty: 'The target database already holds data; db copy only fills an empty one.',
  copy_bad_target: 'db copy copies into a PostgreSQL database (postgres://…) from a SQLite DATABASE_URL.',
  copy_mismatch: 'The copy does not hold the same rows as the source.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CODES, code);

export class DomainError extends Error {
  /** The message with its mentions structured, for surfaces that render them (Slack). */
  readonly text: Text;

  constructor(
    readonly code: ErrorCode,
    message: string | Text,
    readonly details: Record<string, unknown> = {},
  ) {
    super(plainText(message));
    this.text = typeof message === 'string' ? [message] : message;
    this.name = new.target.name;
  }
}

/** The actor may not do this now (not their step, not an admin, wrong state): nothing changed. */
export class RefusedError extends DomainError {}

/** Something asked for does not exist (a run ID, a role). */
export class NotFoundError extends DomainError {}

/** Input that does not make sense (bad role name, empty request). */
export class ValidationError extends DomainError {}

/** Configuration that stops the bot at start. */
export class ConfigError extends DomainError {}

/** Another writer changed the row first (optimistic concurrency). */
export class ConflictError extends DomainError {}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/** The delivery an action came in (`Actor.once`) was acted on already: nothing was done again. */
export class AlreadyActedError extends Error {
  constructor(readonly key: string) {
    super(`${key} was acted on already`);
    this.name = 'AlreadyActedError';
  }
}
