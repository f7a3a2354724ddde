// Runs linked to runs (src/domain/links.ts): the line in a thread when a link is made, and what
// the root message, `/lead status` and App Home say about a run's links. Pure.
import type { KnownBlock } from '@slack/types';
import { type LinkRelation, linksOf, type RunLink } from '../../domain/links.ts';
import type { Run } from '../../domain/types.ts';
import { ACTION, encodeRunNote } from '../ids.ts';
import { actions, button, context, fitMessage, type SlackMessage, section, userText } from './kit.ts';
import { oneLine } from './limits.ts';
import type { NoticeOf } from './notices.ts';

const STATUS: Record<Run['status'], string> = {
  active: '▶️ active',
  blocked: '⛔ blocked',
  done: '✅ done',
  rejected: '✖ rejected',
  cancelled: '🚫 cancelled',
};

/** A run's ID, linking to its thread when the permalink is known. */
function runRef(id: string, permalink: string | null | undefined): string {
  return permalink ? `<${permalink}|${id}>` : `*${id}*`;
}

/**
 * The line posted in a run's thread about a run linked to it. `relation` is what the other run
 * is to the run whose thread this is.
 */
function linkLine(
  relation: LinkRelation,
  other: string,
  title: string,
  reason: string,
  stepTitle: string | undefined,
): string {
  const t = userText(oneLine(title, 200), 300);
  const why = userText(reason, 300);
  const step = stepTitle ? userText(stepTitle, 150) : 'A step';
  switch (relation) {
    case 'step':
      return `🔗 *${step}* runs as ${other}: ${t}. It is done when ${other} is done; act in its thread.`;
    case 'parent':
      return `🔗 This run was started by ${other} (${t})${stepTitle ? ` to do its *${step}*` : ''}: ${why}.`;
    case 'follow_up':
      return `📌 Follow-up ${other} started: ${t}. ${why}.`;
    case 'follow_up_of':
      return `📌 A follow-up of ${other}: ${t}. ${why}.`;
    case 'audit_of':
      return `🔗 Started by ${other} (${t}): ${why}.`;
    default:
      return `🔗 ${other} started: ${t}. Because ${why}.`;
  }
}

export function buildRunLinkedMessage(
  n: NoticeOf<'run_linked'>,
  run?: Run | null,
  permalinks: { root?: string | null; linked?: string | null } = {},
): SlackMessage {
  // A reply in the linked run's thread talks about this run (and links to its root message).
  const other = n.replyIn
    ? { id: n.runId, title: run?.title ?? n.runId, link: permalinks.root }
    : { id: n.linkedRunId, title: n.linkedTitle, link: permalinks.linked };
  const line = linkLine(
    n.relation ?? 'audit',
    runRef(other.id, other.link),
    other.title,
    n.reason,
    n.stepTitle,
  );
  const where = n.replyIn ? n.linkedRunId : (run?.id ?? n.runId);
  return fitMessage({
    text: `${where}: linked to ${other.id} (${oneLine(n.reason, 200)})`,
    blocks: [section(line)],
  });
}

const LABEL: Record<LinkRelation, string> = {
  step: 'Runs a step',
  parent: 'Part of',
  follow_up: 'Follow-ups',
  follow_up_of: 'Follow-up of',
  audit: 'Audits started',
  audit_of: 'Audit of',
};

function linkItem(l: RunLink, permalinks: Record<string, string>, withStep: boolean): string {
  const step = withStep && l.stepKey ? ` (${l.stepKey.replace(/_/g, ' ')})` : '';
  return `${runRef(l.runId, permalinks[l.runId])}${step} ${userText(oneLine(l.title, 80), 160)} · ${STATUS[l.status]}${l.detached ? ' · no longer waited on' : ''}`;
}

/** The run's links, one context line per kind (root message, status, App Home). */
export function linkLines(run: Run, permalinks: Record<string, string> = {}): KnownBlock[] {
  const links = linksOf(run);
  if (links.length === 0) return [];
  const lines: string[] = [];
  for (const relation of Object.keys(LABEL) as LinkRelation[]) {
    const of = links.filter((l) => l.relation === relation);
    if (of.length === 0) continue;
    const open = of.filter((l) => !['done', 'rejected', 'cancelled'].includes(l.status)).length;
    const count = relation === 'follow_up' ? ` (${open} of ${of.length} open)` : '';
    lines.push(
      `🔗 *${LABEL[relation]}${count}:* ${of.map((l) => linkItem(l, permalinks, relation === 'step' || relation === 'parent')).join(' · ')}`,
    );
  }
  return lines.map((l) => context(l));
}

/** Where the run came from, when something started it by itself. */
export function originLines(run: Run): KnownBlock[] {
  if (linksOf(run).some((l) => l.relation === 'audit_of' || l.relation === 'parent')) return [];
  const startedBy = run.context.startedBy as { runId: string; reason: string } | undefined;
  const schedule = run.context.schedule as { kind: string; quarter: string } | undefined;
  if (startedBy) return [context(`Started by ${startedBy.runId}: ${userText(startedBy.reason, 300)}`)];
  if (schedule) return [context(`Started on schedule: the ${schedule.kind} review of ${schedule.quarter}`)];
  return [];
}

/** `/lead cancel` of a run that waits on linked runs: what to do with them. */
export function buildCancelLinkedQuestion(
  runId: string,
  message: string,
  reason: string | null,
): SlackMessage {
  const value = encodeRunNote(runId, reason);
  return fitMessage({
    text: message,
    blocks: [
      section(`❓ ${userText(message, 1500)}`),
      ...actions([
        button('Cancel them too', ACTION.runCancelLinked, value, 'danger'),
        button('Keep them going', ACTION.runCancelKeep, value),
      ]),
    ],
  });
}
