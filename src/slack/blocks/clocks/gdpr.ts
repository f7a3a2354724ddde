// GDPR clock messages: started, 24/48/60/70 h reminders, the 72 h deadline, overdue, notified.
import type { KnownBlock } from '@slack/types';
import type { GdprNotice } from '../../../domain/clock-notices.ts';
import type { GdprNotificationResult } from '../../../services/clocks/record-gdpr-notification.ts';
import { ACTION } from '../../ids.ts';
import {
  actions,
  button,
  context,
  fitMessage,
  formatDuration,
  roleMentions,
  type SlackMessage,
  section,
} from '../kit.ts';
import { slackDate } from './time.ts';

export function buildGdprMessage(n: GdprNotice): SlackMessage {
  const who = roleMentions(n.mentions);
  const deadline = slackDate(n.deadlineAt);
  let line: string;
  switch (n.mark) {
    case 'started':
      line = `🛡️ GDPR Art. 33: user data was exposed in *${n.runId}*. The 72-hour clock to notify the supervisory authority started; deadline ${deadline}. ${who}`;
      break;
    case 'notified':
      line = `🛡️ GDPR notification recorded for *${n.runId}*${n.by ? ` by <@${n.by}>` : ''}: ${n.remainingMs >= 0 ? 'within the 72 hours' : `${formatDuration(-n.remainingMs)} after the deadline`}. The clock stopped.`;
      break;
    case 'stopped':
      line = `🛡️ GDPR clock for *${n.runId}* stopped: no user data exposed after all.`;
      break;
    default:
      line =
        n.remainingMs > 0
          ? `🛡️ GDPR Art. 33 (*${n.runId}*): ${formatDuration(n.remainingMs)} left to notify the supervisory authority (deadline ${deadline}). ${who}, record the notification once sent.`
          : `🚨 GDPR Art. 33 (*${n.runId}*): the 72-hour notification deadline ${n.remainingMs === 0 ? 'is now' : `passed ${formatDuration(-n.remainingMs)} ago`} (${deadline}). ${who}, notify the authority now and record it.`;
  }
  const late = n.late && n.lateByMs ? [`⌛ Sent late: due ${formatDuration(n.lateByMs)} earlier.`] : [];
  // While the clock runs, Privacy records the notification from here.
  const running = n.mark !== 'notified' && n.mark !== 'stopped';
  const blocks: KnownBlock[] = [
    section(line),
    ...(late.length ? [context(...late)] : []),
    ...(running
      ? actions([button('Authority notified', ACTION.gdprNotified, n.runId, 'primary')], `gdpr_${n.runId}`)
      : []),
  ];
  return fitMessage({
    text: `GDPR clock ${n.runId}: ${n.mark === 'notified' ? 'notification recorded' : `${formatDuration(Math.max(0, n.remainingMs))} left`}`,
    blocks,
  });
}

/** For Privacy alone: the notification is recorded and the clock stopped. */
export function buildGdprRecordedMessage(r: GdprNotificationResult): SlackMessage {
  const when = r.withinDeadline
    ? 'within the 72 hours'
    : `${formatDuration(r.notifiedAt - r.deadlineAt)} after the deadline`;
  return fitMessage({
    text: `GDPR notification recorded for ${r.runId}`,
    blocks: [
      section(
        `🛡️ Recorded: the supervisory authority was notified for *${r.runId}* ${when}. The clock stopped.`,
      ),
    ],
  });
}
