// The one `app.error`: picks where a failed request's error is shown. Known domain errors (a
// refusal, something not found, bad input) are shown kindly to the person who acted alone: as
// field errors in the modal they submitted, or ephemerally where they acted. Anything else is
// logged with a correlation id, and the person is shown that id. A refusal no service recorded
// is recorded here, so every refusal shown to a person is a `refused` event.
import { randomBytes } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { type DomainError, isDomainError, RefusedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { isRecorded, type Refused } from '../services/refusals.ts';
import { identityOf } from './actor.ts';
import { buildRefusal } from './blocks/index.ts';
import { slackText } from './blocks/text.ts';

type Body = Record<string, unknown>;
type AckFn = (response?: unknown) => Promise<void>;

export interface ErrorHandlerArgs {
  error: Error;
  body?: unknown;
  context?: Record<string, unknown>;
}

export interface ErrorHandlerDeps {
  slack: WebClient;
  logger: Logger;
  fetch?: typeof fetch;
  /** Writes a refusal to the events log (refusals.ts). */
  recordRefusal?: (who: Refused, err: RefusedError) => Promise<void>;
}

/** What the person tried, named from the request: the button's action, the modal, the command. */
export function actionOf(body: Body): string {
  if (typeof body.command === 'string') {
    const word = typeof body.text === 'string' ? body.text.trim().split(/\s+/)[0] : '';
    return word ? `${body.command} ${word}` : body.command;
  }
  const first = Array.isArray(body.actions) ? (body.actions[0] as Body | undefined) : undefined;
  if (typeof first?.action_id === 'string') return first.action_id;
  const view = (body.view ?? {}) as Body;
  if (typeof view.callback_id === 'string' && view.callback_id) return view.callback_id;
  if (typeof body.callback_id === 'string') return body.callback_id;
  const event = (body.event ?? {}) as Body;
  return typeof event.type === 'string' ? event.type : String(body.type ?? 'request');
}

/** Where the error came from, as Bolt wraps it: the first domain error inside, else the original. */
export function unwrapError(error: unknown): unknown {
  const e = error as { original?: unknown; originals?: unknown[] };
  if (isDomainError(error)) return error;
  if (Array.isArray(e?.originals)) {
    const inner = e.originals.map(unwrapError);
    return inner.find(isDomainError) ?? inner[0] ?? error;
  }
  if (e?.original !== undefined) return unwrapError(e.original);
  return error;
}

export function newCorrelationId(): string {
  return randomBytes(4).toString('hex');
}

/** The text a person sees for an error (its mentions as Slack mentions). */
export function describeError(error: unknown, ref: string): string {
  if (isDomainError(error)) return slackText(error.text);
  return `Something went wrong on my side (ref \`${ref}\`). Please try again; if it keeps happening, give an admin this ref.`;
}

/** The first input block of a modal: field errors are keyed by block_id. */
function firstInputBlock(view: Body): string | null {
  const blocks = Array.isArray(view.blocks) ? (view.blocks as Body[]) : [];
  const input = blocks.find((b) => b.type === 'input' && typeof b.block_id === 'string');
  return (input?.block_id as string | undefined) ?? null;
}

export function createErrorHandler(deps: ErrorHandlerDeps) {
  const doFetch = deps.fetch ?? fetch;

  async function showEphemeral(body: Body, text: string): Promise<void> {
    const who = identityOf(body);
    const { blocks } = buildRefusal(text);
    const responseUrl = typeof body.response_url === 'string' ? body.response_url : null;
    if (responseUrl) {
      const res = await doFetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text, blocks }),
      });
      if (res.ok) return;
    }
    if (who.channelId && who.userId) {
      await deps.slack.chat.postEphemeral({
        channel: who.channelId,
        user: who.userId,
        text,
        blocks,
        ...(who.threadTs ? { thread_ts: who.threadTs } : {}),
      });
      return;
    }
    if (who.userId) await deps.slack.chat.postMessage({ channel: who.userId, text });
  }

  return async function handleError({ error, body, context }: ErrorHandlerArgs): Promise<void> {
    const cause = unwrapError(error);
    const known = isDomainError(cause);
    const ref = newCorrelationId();
    const b = (body ?? {}) as Body;
    if (cause instanceof RefusedError && !isRecorded(cause) && deps.recordRefusal) {
      await deps
        .recordRefusal({ actor: identityOf(b).userId, action: actionOf(b) }, cause)
        .catch((err: unknown) =>
          deps.logger.error('Could not record a refusal', {
            ref,
            error: String((err as Error).message ?? err),
          }),
        );
    }
    if (known) {
      const e = cause as DomainError;
      deps.logger.info('Request refused or invalid', {
        code: e.code,
        message: e.message,
        user: identityOf(b).userId,
      });
    } else {
      const err = cause as Error;
      deps.logger.error('Unexpected error while handling a Slack request', {
        ref,
        code: (error as { code?: string }).code,
        error: err?.stack ?? String(cause),
      });
    }
    const text = describeError(cause, ref);
    try {
      if (b.type === 'view_submission') {
        const ack = context?.ack as AckFn | undefined;
        const view = (b.view ?? {}) as Body;
        const field =
          (isDomainError(cause) && typeof cause.details.field === 'string' ? cause.details.field : null) ??
          firstInputBlock(view);
        if (ack && field) {
          await ack({ response_action: 'errors', errors: { [field]: text } });
          return;
        }
        if (ack) await ack();
        await showEphemeral(b, text);
        return;
      }
      if (b.type === 'event_callback') {
        const event = (b.event ?? {}) as Body;
        // Only where a person asked something: app_home_opened and the like just log.
        if (event.type !== 'app_mention') return;
      }
      if (b.type === 'view_closed' || b.type === 'block_suggestion') return;
      await showEphemeral(b, text);
    } catch (showErr) {
      deps.logger.error('Could not show an error to the user', {
        ref,
        error: String((showErr as Error).message ?? showErr),
      });
    }
  };
}
