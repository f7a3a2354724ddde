// What a person is told when Slack refuses a run's message, and the line `/lead status` shows
// for a run with messages held or failed. Pure.
import type { DeliveryProblem, DeliveryProblemNotice } from '../../domain/notices.ts';
import type { WebhookPausedNotice } from '../../domain/webhook-events.ts';
import { context, fitMessage, type SlackMessage, section, userText } from './kit.ts';
import { oneLine } from './limits.ts';

/** Errors that mean the bot is not in the channel: its messages wait for an invitation. */
export const NOT_IN_CHANNEL_ERRORS: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found']);

export const INVITE_HINT = 'Invite me there with `/invite @ProjectLead`';

/** Why Slack refused, in words. */
export function refusalReason(error: string, channelId: string | null): string {
  const where = channelId ? `<#${channelId}>` : 'the channel';
  switch (error) {
    case 'not_in_channel':
      return `I'm not a member of ${where}`;
    case 'channel_not_found':
      return `I can't see ${where}: it is private and I'm not in it, or it no longer exists`;
    case 'is_archived':
    case 'channel_is_archived':
      return `${where} is archived`;
    case 'root_message_not_posted':
      return "the run's first message could not be posted there";
    default:
      return `Slack refused it (\`${error}\`)`;
  }
}

function whatFailed(f: DeliveryProblemNotice['failed']): string {
  if (f.notice === 'run_started') return "the run's first message";
  if (f.stepTitle) return `the ${f.notice === 'handoff' ? 'handoff' : 'message'} of step “${f.stepTitle}”`;
  return 'one of its messages';
}

/** The DM (or ephemeral answer) telling a person that Slack refused a run's message. */
export function buildDeliveryProblemMessage(n: DeliveryProblemNotice): SlackMessage {
  const run = `*${n.runId}* “${userText(oneLine(n.runTitle, 150), 300)}”`;
  const where = n.failed.toUser
    ? `to <@${n.failed.toUser}>`
    : `in ${n.channelId ? `<#${n.channelId}>` : 'its channel'}`;
  const reason = refusalReason(n.error, n.channelId);
  let text: string;
  if (n.audience === 'owner') {
    const step = n.failed.stepTitle ? `Step “${userText(oneLine(n.failed.stepTitle, 150), 300)}”` : 'A step';
    text = `:warning: ${step} of ${run} is waiting on you, but I could not post it ${where}: ${reason}. See it and act on it with \`/lead mine\`.`;
  } else if (n.held && n.failed.notice === 'run_started') {
    text = `:warning: ${run} cannot start ${where} yet: ${reason}. ${INVITE_HINT}, and its messages go out right away; nothing is lost.`;
  } else if (n.held) {
    text = `:warning: I can no longer post ${run}'s messages ${where}: ${reason}. ${INVITE_HINT}, and the waiting messages go out right away.`;
  } else {
    text = `:warning: I could not post ${whatFailed(n.failed)} of ${run} ${where}: ${reason}. It will not be retried; \`/lead status ${n.runId}\` shows where the run stands.`;
  }
  return { text, blocks: [section(text)] };
}

/** A webhook subscription kept failing and was paused: its owner is told what to do. */
export function buildWebhookPausedMessage(n: WebhookPausedNotice): SlackMessage {
  const text = `:warning: Webhook ${n.subscriptionId} (${userText(oneLine(n.url, 200), 300)}) kept failing (${n.attempts} attempts, last: ${userText(oneLine(n.error, 200), 300)}) and is paused; no more events go to it. \`projectlead webhooks resume ${n.subscriptionId}\` turns it on again once the receiver works.`;
  return { text, blocks: [section(text)] };
}

/** One line per run with refused messages, for `/lead status`. */
export function deliveryProblemLine(p: DeliveryProblem): string {
  const parts: string[] = [];
  const where = p.channelId ? `<#${p.channelId}>` : 'its channel';
  if (p.held > 0) {
    const error = p.errors.find((e) => NOT_IN_CHANNEL_ERRORS.has(e)) ?? 'not_in_channel';
    parts.push(
      `${p.held} message${p.held === 1 ? '' : 's'} waiting: ${refusalReason(error, p.channelId)}. ${INVITE_HINT}.`,
    );
  }
  if (p.failed > 0) {
    const errors = p.errors.filter((e) => !NOT_IN_CHANNEL_ERRORS.has(e) || p.held === 0);
    parts.push(
      `${p.failed} message${p.failed === 1 ? '' : 's'} could not be posted in ${where} (${errors.map((e) => `\`${e}\``).join(', ')}).`,
    );
  }
  return `:warning: ${parts.join(' ')}`;
}

/** A status message with a line for each run's refused messages, if any. */
export function withDeliveryProblems(
  message: SlackMessage,
  problems: readonly DeliveryProblem[],
): SlackMessage {
  if (problems.length === 0) return message;
  const lines = problems.map((p) => (problems.length > 1 ? `${p.runId}: ` : '') + deliveryProblemLine(p));
  return fitMessage({
    text: `${message.text}\n${lines.join('\n')}`,
    blocks: [...message.blocks, context(...lines)],
  });
}
