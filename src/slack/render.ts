// Rendering an outbox notice into a Slack message: each known notice type has its builder in
// blocks/; other types (reminders, escalations, GDPR, digests, post-mortems) render from their
// own fields unless a job registered a builder with `registerNoticeRenderer`.
import type { Playbook } from '../../routing/playbooks/schema.ts';
import type { Delivery, Notice } from '../domain/notices.ts';
import type { Run } from '../domain/types.ts';
import { threadLink } from '../services/digests/digest.ts';
import { buildDeliveryProblemMessage } from './blocks/delivery.ts';
import {
  buildBlockedMessage,
  buildCancelledMessage,
  buildCompletedMessage,
  buildContextChangedMessage,
  buildDeliveredMessage,
  buildGenericNoticeMessage,
  buildHandoffMessage,
  buildNotifyMessage,
  buildReassignedMessage,
  buildRejectedMessage,
  buildRootMessage,
  buildSkippedMessage,
  buildStepDoneMessage,
  buildUnblockedMessage,
  type SlackMessage,
} from './blocks/index.ts';
import { fitMessage } from './blocks/kit.ts';
import type { NoticeOf } from './blocks/notices.ts';
import { withThreadLink } from './blocks/notices.ts';

export type { SlackMessage };

/**
 * What a notice is rendered with: its run (current state) and playbook, when it has them, and
 * the sender's clock reading (the time left on the GDPR clock of a root message).
 */
export interface RenderContext {
  run?: Run | null;
  playbook?: Playbook | null;
  now?: number;
  /** Where the message goes: a DM of a run links to the run's thread. */
  delivery?: Delivery;
  /** The workspace URL (auth.test), the base of permalinks. */
  permalinkBase?: string;
}

export type NoticeRenderer = (
  notice: Notice & { [key: string]: unknown },
  ctx: RenderContext,
) => SlackMessage;

type Builders = { [T in Notice['type']]?: (notice: NoticeOf<T>, ctx: RenderContext) => SlackMessage };

function rootMessage(notice: { runId?: string }, ctx: RenderContext): SlackMessage {
  if (ctx.run) return buildRootMessage(ctx.run, ctx.playbook, ctx.now);
  // Without its run (deleted?) there is nothing current to show; say which run it was.
  return buildGenericNoticeMessage({ type: 'run', runId: notice.runId, text: `Run ${notice.runId ?? ''}` });
}

const BUILTIN: Builders = {
  run_started: rootMessage,
  root_update: rootMessage,
  handoff: (n, c) => buildHandoffMessage(n, c.run),
  notify: (n, c) => buildNotifyMessage(n, c.run),
  delivered: (n, c) => buildDeliveredMessage(n, c.run),
  step_done: (n, c) => buildStepDoneMessage(n, c.run),
  blocked: (n, c) => buildBlockedMessage(n, c.run),
  unblocked: (n, c) => buildUnblockedMessage(n, c.run),
  rejected: (n, c) => buildRejectedMessage(n, c.run),
  reassigned: (n, c) => buildReassignedMessage(n, c.run),
  skipped: (n, c) => buildSkippedMessage(n, c.run),
  cancelled: (n, c) => buildCancelledMessage(n, c.run),
  completed: (n, c) => buildCompletedMessage(n, c.run),
  context_changed: (n, c) => buildContextChangedMessage(n, c.run),
  delivery_problem: (n) => buildDeliveryProblemMessage(n),
};

const registered = new Map<string, NoticeRenderer>();

/**
 * Register the builder of a notice type (clocks: 'reminder', 'escalation', 'gdpr'; digests).
 * It takes precedence over the built-in one. Returns a function that removes it again.
 */
export function registerNoticeRenderer(type: string, render: NoticeRenderer): () => void {
  registered.set(type, render);
  return () => {
    if (registered.get(type) === render) registered.delete(type);
  };
}

/**
 * The Slack message for a notice, always within Slack's limits and with fallback text. A direct
 * message about a run links to the run's thread, where the run is followed and acted on.
 */
export function renderNotice(notice: Notice, ctx: RenderContext = {}): SlackMessage {
  const message = renderBody(notice, ctx);
  const link = ctx.delivery?.kind === 'dm' && ctx.run ? threadLink(ctx.run, ctx.permalinkBase) : null;
  return link && ctx.run ? withThreadLink(message, ctx.run, link) : message;
}

function renderBody(notice: Notice, ctx: RenderContext): SlackMessage {
  const custom = registered.get(notice.type);
  if (custom) return fitMessage(custom(notice as Notice & { [key: string]: unknown }, ctx));
  const builtin = BUILTIN[notice.type] as ((n: Notice, c: RenderContext) => SlackMessage) | undefined;
  if (builtin) return builtin(notice, ctx);
  return buildGenericNoticeMessage(
    notice as { type: string; runId?: string; [key: string]: unknown },
    ctx.run,
  );
}
