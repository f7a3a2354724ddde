// Rendering an outbox notice into a Slack message: one builder per notice type, in a static
// map over the closed `Notice` union (a notice type without a builder does not compile).
import type { Playbook } from '../../routing/playbooks/schema.ts';
import type { Delivery, Notice, NoticeType } from '../domain/notices.ts';
import type { Run } from '../domain/types.ts';
import { threadLink } from '../services/digests/digest.ts';
import { buildAgentDecisionMessage } from './blocks/agent-decision.ts';
import { buildAlertMessage } from './blocks/alerts.ts';
import { buildEscalationMessage, buildGdprMessage, buildReminderMessage } from './blocks/clocks/index.ts';
import {
  buildBlockedMessage,
  buildCancelledMessage,
  buildCompletedMessage,
  buildContextChangedMessage,
  buildDeliveredMessage,
  buildDeliveryProblemMessage,
  buildDigestChartMessage,
  buildDigestMessage,
  buildGenericNoticeMessage,
  buildHandoffMessage,
  buildIncidentDeclaredReply,
  buildNotifyMessage,
  buildPostmortemMessage,
  buildReassignedMessage,
  buildRejectedMessage,
  buildRootMessage,
  buildSkippedMessage,
  buildStepDoneMessage,
  buildUnblockedMessage,
  buildWebhookPausedMessage,
  type SlackMessage,
} from './blocks/index.ts';
import { context, fitMessage, userText } from './blocks/kit.ts';
import { oneLine } from './blocks/limits.ts';
import { buildRunLinkedMessage } from './blocks/links.ts';
import type { NoticeOf } from './blocks/notices.ts';
import { withThreadLink } from './blocks/notices.ts';
import { withoutMentions } from './blocks/thread.ts';

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
  /** The permalink of the run's root message (a reply outside its thread links to it). */
  rootPermalink?: string | null;
  /** Permalinks of the threads of the runs linked to the run, by run ID. */
  linkPermalinks?: Record<string, string>;
}

type NoticeBuilders = { [T in NoticeType]: (notice: NoticeOf<T>, ctx: RenderContext) => SlackMessage };

function rootMessage(notice: { runId: string }, ctx: RenderContext): SlackMessage {
  if (ctx.run) return buildRootMessage(ctx.run, ctx.playbook, ctx.now, ctx.linkPermalinks);
  // Without its run (deleted?) there is nothing current to show; say which run it was.
  return buildGenericNoticeMessage({ type: 'run', runId: notice.runId, text: `Run ${notice.runId}` });
}

const BUILDERS: NoticeBuilders = {
  run_started: rootMessage,
  root_update: rootMessage,
  handoff: (n, c) => buildHandoffMessage(n, c.run, c.run ? threadLink(c.run, c.permalinkBase) : null),
  notify: (n, c) => buildNotifyMessage(n, c.run),
  delivered: (n, c) => buildDeliveredMessage(n, c.run),
  step_done: (n, c) => buildStepDoneMessage(n, c.run),
  blocked: (n, c) => buildBlockedMessage(n, c.run),
  unblocked: (n, c) => buildUnblockedMessage(n, c.run),
  rejected: (n, c) => buildRejectedMessage(n, c.run),
  agent_decision: (n) => buildAgentDecisionMessage(n),
  reassigned: (n, c) => buildReassignedMessage(n, c.run),
  skipped: (n, c) => buildSkippedMessage(n, c.run),
  cancelled: (n, c) => buildCancelledMessage(n, c.run),
  completed: (n, c) => buildCompletedMessage(n, c.run),
  context_changed: (n, c) => buildContextChangedMessage(n, c.run),
  reminder: (n) => buildReminderMessage(n),
  escalation: (n) => buildEscalationMessage(n),
  gdpr: (n) => buildGdprMessage(n),
  digest: (n) => buildDigestMessage(n),
  digest_chart: (n) => buildDigestChartMessage(n),
  postmortem: (n) => buildPostmortemMessage(n),
  delivery_problem: (n) => buildDeliveryProblemMessage(n),
  alert: (n, c) => buildAlertMessage(n, c.run),
  run_linked: (n, c) =>
    buildRunLinkedMessage(n, c.run, { root: c.rootPermalink, linked: c.linkPermalinks?.[n.linkedRunId] }),
  run_declared: (n, c) => buildIncidentDeclaredReply({ ...n, permalink: c.rootPermalink ?? null }),
  // Webhook events go to their subscribers (src/webhooks/), never to Slack: shown as fields if ever.
  webhook: (n, c) => buildGenericNoticeMessage({ type: n.type, runId: n.runId, text: n.event.type }, c.run),
  webhook_paused: (n) => buildWebhookPausedMessage(n),
};

/** The builder of one notice type, called with a notice of that type. */
function build<T extends NoticeType>(notice: NoticeOf<T>, ctx: RenderContext): SlackMessage {
  const builder: NoticeBuilders[T] = BUILDERS[notice.type];
  return builder(notice, ctx);
}

/**
 * The Slack message for a notice, always within Slack's limits and with fallback text. A direct
 * message about a run links to the run's thread, where the run is followed and acted on.
 */
export function renderNotice(notice: Notice, ctx: RenderContext = {}): SlackMessage {
  const quiet = 'quiet' in notice ? notice.quiet : undefined;
  // A bot whose message caused the notice is named, never mentioned (see notices.ts).
  const body = withVia(renderBody(notice, ctx), notice);
  const message = quiet ? withoutMentions(body, quiet) : body;
  const link = ctx.delivery?.kind === 'dm' && ctx.run ? threadLink(ctx.run, ctx.permalinkBase) : null;
  return link && ctx.run ? withThreadLink(message, ctx.run, link) : message;
}

/** A message caused through an API or MCP token says which token (its name). */
function withVia(message: SlackMessage, notice: Notice): SlackMessage {
  const via = (notice as { via?: unknown }).via;
  if (typeof via !== 'string' || via === '') return message;
  return fitMessage({
    ...message,
    blocks: [...(message.blocks ?? []), context(`via API token “${userText(oneLine(via, 80), 160)}”`)],
  });
}

function renderBody(notice: Notice, ctx: RenderContext): SlackMessage {
  // An outbox row written by another version of the bot may carry a type this one does not
  // know: its fields are shown rather than dropped.
  if (!Object.hasOwn(BUILDERS, notice.type))
    return buildGenericNoticeMessage(notice as { type: string; runId?: string }, ctx.run);
  return build(notice, ctx);
}
