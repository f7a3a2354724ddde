// Reminder and escalation messages: in the run's thread, mentioning who must act (and, for an
// escalation, who it went to and at which tier), with step_ack and step_snooze buttons.
import type { KnownBlock } from '@slack/types';
import type { EscalationNotice, EscalationTier, ReminderNotice } from '../../../domain/clock-notices.ts';
import { SNOOZE_DEFAULT_MINUTES, type SnoozeResult } from '../../../services/clocks/snooze-step.ts';
import { ACTION, COMMAND_LEAD, encodeStepRef } from '../../ids.ts';
import {
  actions,
  button,
  context,
  fitMessage,
  formatDuration,
  mentionAll,
  roleMentions,
  type SlackMessage,
  section,
  userText,
} from '../kit.ts';
import { slackDate } from './time.ts';

const TIER_WORDS: Record<EscalationTier, string> = {
  direct: 'direct lead',
  crossFunctional: 'cross-functional lead',
  exec: 'exec',
};

function lateLine(n: { late: boolean; lateByMs: number }): string[] {
  return n.late ? [`⌛ Sent late: due ${formatDuration(n.lateByMs)} earlier (the bot was not running).`] : [];
}

function stepButtons(n: ReminderNotice | EscalationNotice, snooze: boolean): KnownBlock[] {
  const ref = encodeStepRef(n.runId, n.stepKey);
  const buttons = [
    ...(n.phase === 'ack' ? [button('Acknowledge', ACTION.stepAck, ref, 'primary')] : []),
    ...(snooze
      ? [button(`Snooze ${formatDuration(SNOOZE_DEFAULT_MINUTES * 60_000)}`, ACTION.stepSnooze, ref)]
      : []),
  ];
  return buttons.length > 0 ? actions(buttons, `clock_${n.stepKey}`) : [];
}

/** The deadline rule, the block (user text, escaped) and lateness, as context when any. */
function clockNotes(n: ReminderNotice | EscalationNotice, first = ''): KnownBlock[] {
  const notes = [
    first,
    n.regime ? `Deadline rule: ${n.regime}` : '',
    n.blockedReason ? `Blocked: ${userText(n.blockedReason, 1000)}` : '',
    ...lateLine(n),
  ].filter((t) => t !== '');
  return notes.length > 0 ? [context(...notes)] : [];
}

function waiting(n: ReminderNotice | EscalationNotice): string {
  const what = n.phase === 'ack' ? 'not acknowledged' : 'not done';
  const since = n.startedAt !== null ? `, waiting ${formatDuration(n.firedAt - n.startedAt)}` : '';
  return `${what}${since}`;
}

export function buildReminderMessage(n: ReminderNotice): SlackMessage {
  const who = roleMentions(n.owners);
  const deadline =
    n.deadlineAt !== null
      ? ` ${n.phase === 'ack' ? 'Acknowledge' : 'Complete it'} by ${slackDate(n.deadlineAt)}.`
      : '';
  const text = `⏰ Reminder: ${who}, *${n.stepTitle}* (${n.runId}) is ${waiting(n)}.${deadline}`;
  const blocks: KnownBlock[] = [section(text), ...clockNotes(n), ...stepButtons(n, true)];
  return fitMessage({ text: `Reminder: ${n.stepTitle} (${n.runId}) is ${waiting(n)}`, blocks });
}

/** Where the escalation went, in words; never "nobody": an empty path ends with the admins. */
function escalationLines(n: EscalationNotice): { lines: string[]; short: string } {
  const admins = n.admins ?? [];
  const lines: string[] = [];
  if (n.escalatedTo.length > 0) {
    const to = n.escalatedTo.map(
      (e) =>
        `${roleMentions([e])} as ${TIER_WORDS[e.tier]} of @${e.from}${e.repeated ? ' (again: top of the path)' : ''}`,
    );
    lines.push(`Escalated to ${to.join('; ')}.`);
  }
  if (n.noTarget.length > 0) {
    const above = `Nobody above ${n.noTarget.map((r) => `@${r}`).join(', ')} holds a role`;
    const set = `\`${COMMAND_LEAD} role set <Role> @someone\``;
    lines.push(
      admins.length > 0
        ? `⚠️ ${above}: escalated to the admins, ${mentionAll(admins)}. Please set one with ${set}.`
        : `⚠️ ${above} and no admin is set (ADMIN_USER_IDS): set one with ${set}.`,
    );
  }
  const short = [
    ...n.escalatedTo.map((e) => `@${e.role}`),
    ...(n.noTarget.length > 0 && admins.length > 0 ? ['the admins'] : []),
  ].join(', ');
  return { lines, short };
}

export function buildEscalationMessage(n: EscalationNotice): SlackMessage {
  const { lines, short } = escalationLines(n);
  const passedOver = n.passedOver ?? [];
  const text = `🚨 Escalation: *${n.stepTitle}* (${n.runId}) is ${waiting(n)}${n.deadlineAt !== null ? `, past its deadline ${slackDate(n.deadlineAt)}` : ''}. Owners: ${roleMentions(n.owners)}.`;
  const blocks: KnownBlock[] = [
    section(text),
    ...lines.map((l) => section(l)),
    ...clockNotes(
      n,
      passedOver.length > 0
        ? `Passed over (nobody holds it): ${passedOver.map((r) => `@${r}`).join(', ')}`
        : '',
    ),
    ...stepButtons(n, false),
  ];
  const where = short ? `escalated to ${short}` : 'nobody above holds a role and no admin is set';
  return fitMessage({ text: `Escalation: ${n.stepTitle} (${n.runId}) ${where}`, blocks });
}

/** For the owner alone: the step's reminders are quiet until then (escalations are not moved). */
export function buildSnoozedMessage(r: SnoozeResult): SlackMessage {
  const line = `😴 Snoozed for ${formatDuration(r.minutes * 60_000)}: no reminders for *${r.stepTitle}* (${r.runId}) until ${slackDate(r.until)}. Escalations still go out on time.`;
  return fitMessage({
    text: `Snoozed ${r.stepTitle} (${r.runId}) for ${formatDuration(r.minutes * 60_000)}`,
    blocks: [section(line)],
  });
}
