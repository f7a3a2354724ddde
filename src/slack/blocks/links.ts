// Runs started because of other runs (an Incident Audit after an incident, a quarterly review
// on its schedule): the line in the first run's thread, and what the root message of the new one
// says about where it came from. Pure.
import type { KnownBlock } from '@slack/types';
import type { Run } from '../../domain/types.ts';
import { context, fitMessage, type SlackMessage, section, userText } from './kit.ts';
import { oneLine } from './limits.ts';
import type { NoticeOf } from './notices.ts';

export function buildRunLinkedMessage(n: NoticeOf<'run_linked'>, run?: Run | null): SlackMessage {
  const title = userText(oneLine(n.linkedTitle, 200), 300);
  return fitMessage({
    text: `${run?.id ?? n.runId}: ${n.linkedRunId} started (${n.reason})`,
    blocks: [section(`🔗 *${n.linkedRunId}* started: ${title}. Because ${userText(n.reason, 300)}.`)],
  });
}

/** Where the run came from, when something started it by itself. */
export function originLines(run: Run): KnownBlock[] {
  const startedBy = run.context.startedBy as { runId: string; reason: string } | undefined;
  const schedule = run.context.schedule as { kind: string; quarter: string } | undefined;
  if (startedBy) return [context(`Started by ${startedBy.runId}: ${userText(startedBy.reason, 300)}`)];
  if (schedule) return [context(`Started on schedule: the ${schedule.kind} review of ${schedule.quarter}`)];
  return [];
}
