// One builder per notice: the handoff (with the step's buttons) and the thread announcements.
// Pure: a notice (and optionally its run) in, text and blocks out.
import type { ActionsBlockElement, KnownBlock, MessageMetadata } from '@slack/types';
import type { Notice } from '../../domain/notices.ts';
import type { Run } from '../../domain/types.ts';
import { ACTION, encodeStepRef } from '../ids.ts';
import {
  handoffContextBlocks,
  handoffContextText,
  runClosedMetadata,
  stepAssignedMetadata,
} from './handoff-context.ts';
import {
  actions,
  button,
  context,
  fitMessage,
  formatDuration,
  mention,
  mentionAll,
  quote,
  roleMentions,
  type SlackMessage,
  section,
  userText,
} from './kit.ts';
import { oneLine } from './limits.ts';

export type NoticeOf<T extends Notice['type']> = Extract<Notice, { type: T }>;

/** "FEAT-3 · Dark mode", the run a thread message belongs to, when known. */
function runLabel(runId: string | undefined, run?: Run | null): string {
  const id = runId ?? run?.id ?? '';
  return run ? `${id} · ${oneLine(run.title, 80)}` : id;
}

const title = (t: string) => `*${userText(oneLine(t, 150), 300)}*`;

/**
 * The handoff: mentions the step's owners, states the step, output and gate, what the owner
 * needs (request, deadline, earlier outputs: handoff-context.ts) and carries the buttons and,
 * as message metadata, the step's context. `link`: the thread's permalink, for trimmed outputs.
 */
export function buildHandoffMessage(
  n: NoticeOf<'handoff'>,
  run?: Run | null,
  link: string | null = null,
): SlackMessage {
  const ref = encodeStepRef(n.runId, n.stepKey);
  const who = roleMentions(n.mentions);
  const ask =
    n.phase === 'approval'
      ? `${who}: please review and approve.`
      : n.phase === 'reassigned'
        ? `${who}: this step is now yours.`
        : `${who}: your turn.`;
  const blocks: KnownBlock[] = [
    section(`*Step ${n.position}/${n.total} · ${userText(oneLine(n.stepTitle, 150), 300)}*\n${ask}`),
  ];
  const details: string[] = [];
  if (n.output) details.push(`*Expected output:* ${userText(n.output, 1000)}`);
  if (n.gate) {
    details.push(`*Gate:* ${userText(n.gate.check, 500)}${n.gate.canReject ? ' (can reject the run)' : ''}`);
  }
  if (details.length > 0) blocks.push(section(details.join('\n')));
  if (n.context) blocks.push(...handoffContextBlocks(n.context, link));
  if (n.notes.length > 0) blocks.push(section(n.notes.map((note) => `📌 ${userText(note, 600)}`).join('\n')));
  const watchers = n.watchers.filter((w) => w.principals.length > 0);
  if (watchers.length > 0) blocks.push(context(`👀 Coordinating: ${roleMentions(watchers)}`));
  if (n.unheld.length > 0) {
    blocks.push(
      section(
        n.unheld
          .map((role) => `⚠️ Nobody holds @${role}: an admin can \`/lead role set ${role} @someone\`.`)
          .join('\n'),
      ),
    );
  }
  const buttons: ActionsBlockElement[] = [
    button(
      n.phase === 'approval' ? 'Approve' : n.gate ? 'Done (gate passed)' : 'Done',
      ACTION.stepDone,
      ref,
      'primary',
    ),
    // On a gated step the block modal asks whether the gate failed or the step is waiting.
    button('Block', ACTION.stepBlock, ref),
  ];
  if (n.gate?.canReject) buttons.push(button('Reject', ACTION.stepReject, ref, 'danger'));
  buttons.push(button('Reassign', ACTION.stepReassign, ref));
  if (n.canSkip) buttons.push(button('Skip', ACTION.stepSkip, ref));
  buttons.push(button('Got it', ACTION.stepAck, ref));
  blocks.push(...actions(buttons, `handoff_${n.stepKey}`.slice(0, 255)));
  const head = `${runLabel(n.runId, run)}: step ${n.position}/${n.total} ${oneLine(n.stepTitle, 150)}. ${ask}`;
  const text = n.context ? `${head}\n${handoffContextText(n.context)}` : head;
  const message: SlackMessage & { metadata?: MessageMetadata } = fitMessage({ text, blocks });
  if (n.context) message.metadata = stepAssignedMetadata(n.context, run);
  return message;
}

/** A notification the playbook requires: the holders are mentioned, with the reason. */
export function buildNotifyMessage(n: NoticeOf<'notify'>, run?: Run | null): SlackMessage {
  const who = roleMentions(n.mentions);
  const line = `📣 ${who}: ${userText(n.reason, 2000)}`;
  const blocks: KnownBlock[] = [section(line)];
  if (run) blocks.push(context(`${run.id} · ${userText(oneLine(run.title, 200), 300)}`));
  return fitMessage({ text: `${runLabel(n.runId, run)}: ${who}: ${oneLine(n.reason, 500)}`, blocks });
}

export function buildDeliveredMessage(n: NoticeOf<'delivered'>, run?: Run | null): SlackMessage {
  const waiting = n.waitingOn.map((r) => `@${r}`).join(', ');
  const line = `☑️ ${mention(n.by)} recorded @${n.role}'s part of ${title(n.stepTitle)}.${waiting ? ` Waiting on ${waiting}.` : ''}`;
  const blocks: KnownBlock[] = [section(line)];
  if (n.output) blocks.push(section(quote(n.output)));
  return fitMessage({
    text: `${runLabel(n.runId, run)}: ${oneLine(n.stepTitle, 150)}: @${n.role} delivered`,
    blocks,
  });
}

export function buildStepDoneMessage(n: NoticeOf<'step_done'>, run?: Run | null): SlackMessage {
  const gate = n.gatePassed ? ` Gate passed: _${userText(n.gatePassed, 500)}_.` : '';
  const blocks: KnownBlock[] = [section(`✅ ${title(n.stepTitle)} done by ${mention(n.by)}.${gate}`)];
  if (n.output) blocks.push(section(quote(n.output)));
  return fitMessage({ text: `${runLabel(n.runId, run)}: ${oneLine(n.stepTitle, 150)} done`, blocks });
}

export function buildBlockedMessage(n: NoticeOf<'blocked'>, run?: Run | null): SlackMessage {
  const by = `${mention(n.by)}${n.role ? ` (@${n.role})` : ''}`;
  const head = n.gateFailed
    ? `⛔ ${title(n.stepTitle)} blocked by ${by}: *the gate failed*.\nGate: _${userText(n.gateFailed, 500)}_`
    : n.gatePending
      ? `⏸️ ${title(n.stepTitle)} blocked by ${by}: *waiting on something*; the gate is not judged yet.\nGate: _${userText(n.gatePending, 500)}_`
      : `⛔ ${title(n.stepTitle)} blocked by ${by}.`;
  const what = n.gateFailed ? 'gate failed' : n.gatePending ? 'waiting' : 'blocked';
  const blocks: KnownBlock[] = [
    section(head),
    section(quote(n.reason)),
    context(`Can be lifted by ${userText(n.liftedBy, 500)}.`),
    ...actions([button('Unblock', ACTION.stepUnblock, encodeStepRef(n.runId, n.stepKey), 'primary')]),
  ];
  return fitMessage({
    text: `${runLabel(n.runId, run)}: ${oneLine(n.stepTitle, 150)} ${what}: ${oneLine(n.reason, 300)}`,
    blocks,
  });
}

export function buildUnblockedMessage(n: NoticeOf<'unblocked'>, run?: Run | null): SlackMessage {
  const blocks: KnownBlock[] = [
    section(
      n.riskAccepted
        ? `⚠️ ${mention(n.by)} *accepted the risk* and lifted the block on ${title(n.stepTitle)}.`
        : `▶️ ${title(n.stepTitle)} unblocked by ${mention(n.by)}.`,
    ),
  ];
  if (n.rationale) blocks.push(section(`*Rationale*\n${quote(n.rationale)}`));
  return fitMessage({
    text: `${runLabel(n.runId, run)}: ${oneLine(n.stepTitle, 150)} unblocked${n.riskAccepted ? ' (risk accepted)' : ''}`,
    blocks,
  });
}

export function buildRejectedMessage(n: NoticeOf<'rejected'>, run?: Run | null): SlackMessage {
  const blocks: KnownBlock[] = [
    section(`✖ *${n.runId} rejected* at ${title(n.stepTitle)} by ${mention(n.by)}.`),
    section(quote(n.reason)),
  ];
  return closing(
    fitMessage({ text: `${runLabel(n.runId, run)}: rejected at ${oneLine(n.stepTitle, 150)}`, blocks }),
    n.runId,
    run,
  );
}

export function buildReassignedMessage(n: NoticeOf<'reassigned'>, run?: Run | null): SlackMessage {
  const from = n.from.length > 0 ? mentionAll(n.from) : 'nobody';
  const blocks: KnownBlock[] = [
    section(
      `↪️ ${mention(n.by)} handed @${n.role} on ${title(n.stepTitle)} from ${from} to ${mentionAll(n.to)}.`,
    ),
  ];
  return fitMessage({ text: `${runLabel(n.runId, run)}: ${oneLine(n.stepTitle, 150)} reassigned`, blocks });
}

export function buildSkippedMessage(n: NoticeOf<'skipped'>, run?: Run | null): SlackMessage {
  const blocks: KnownBlock[] = [
    section(`⏭️ ${title(n.stepTitle)} skipped by ${mention(n.by)}.`),
    section(quote(n.reason)),
  ];
  return fitMessage({ text: `${runLabel(n.runId, run)}: ${oneLine(n.stepTitle, 150)} skipped`, blocks });
}

export function buildCancelledMessage(n: NoticeOf<'cancelled'>, run?: Run | null): SlackMessage {
  const blocks: KnownBlock[] = [section(`🚫 *${n.runId} cancelled* by ${mention(n.by)}.`)];
  if (n.reason) blocks.push(section(quote(n.reason)));
  return closing(fitMessage({ text: `${runLabel(n.runId, run)}: cancelled`, blocks }), n.runId, run);
}

export function buildCompletedMessage(n: NoticeOf<'completed'>, run?: Run | null): SlackMessage {
  const who = run ? ` Thanks ${mention(run.requester)} for the request.` : '';
  const blocks: KnownBlock[] = [
    section(`🎉 *${n.runId} complete* in ${formatDuration(n.durationMs)}.${who}`),
  ];
  return closing(
    fitMessage({ text: `${runLabel(n.runId, run)}: complete in ${formatDuration(n.durationMs)}`, blocks }),
    n.runId,
    run,
  );
}

/** A message that closes the run carries `projectlead_run_closed` metadata. */
function closing(message: SlackMessage, runId: string, run?: Run | null): SlackMessage {
  return Object.assign(message, { metadata: runClosedMetadata(runId, run) });
}

const FACT_LABEL: Record<string, string> = {
  severity: 'Severity',
  projects: 'Projects',
  releaseType: 'Release type',
  userDataExposed: 'User data exposed',
  notificationSent: 'Notification sent',
};

function factValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.length > 0 ? v.map(String).join(', ') : '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

export function buildContextChangedMessage(n: NoticeOf<'context_changed'>, run?: Run | null): SlackMessage {
  const lines = Object.entries(n.changes).map(
    ([k, c]) =>
      `• *${FACT_LABEL[k] ?? k}:* ${userText(factValue(c.from), 300)} → ${userText(factValue(c.to), 300)}`,
  );
  const blocks: KnownBlock[] = [section(`📝 ${mention(n.by)} updated the run:\n${lines.join('\n')}`)];
  if (run) blocks.push(context('Steps not started yet were re-planned from these facts.'));
  return fitMessage({
    text: `${runLabel(n.runId, run)}: ${Object.keys(n.changes).join(', ')} updated`,
    blocks,
  });
}

/**
 * A message sent directly to someone, with a link to the run's thread (before its buttons): the
 * thread is where the run is followed and acted on.
 */
export function withThreadLink(
  message: SlackMessage,
  run: Pick<Run, 'id' | 'title'>,
  link: string,
): SlackMessage {
  const line = context(
    `🧵 <${link}|Open the thread of ${run.id}> · ${userText(oneLine(run.title, 150), 300)}`,
  );
  let at = message.blocks.length;
  while (at > 0 && message.blocks[at - 1]!.type === 'actions') at--;
  return fitMessage({
    text: `${message.text} (thread: ${link})`,
    blocks: [...message.blocks.slice(0, at), line, ...message.blocks.slice(at)],
  });
}
