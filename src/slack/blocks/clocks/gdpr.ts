// GDPR clock messages: started, 24/48/60/70 h reminders, the 72 h deadline, overdue, notified.
import type { GdprNotice } from '../../../services/clocks/clock-notices.ts';
import { context, fitMessage, formatDuration, roleMentions, type SlackMessage, section } from '../kit.ts';
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
  return fitMessage({
    text: `GDPR clock ${n.runId}: ${n.mark === 'notified' ? 'notification recorded' : `${formatDuration(Math.max(0, n.remainingMs))} left`}`,
    blocks: [section(line), ...(late.length ? [context(...late)] : [])],
  });
}
