// Coded errors, as Bolt does: a string `code` the central error handler can show kindly.
import { plainText, type Text } from './domain/text.ts';

export class DomainError extends Error {
  /** The message with its mentions structured, for surfaces that render them (Slack). */
  readonly text: Text;

  constructor(
    readonly code: string,
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
