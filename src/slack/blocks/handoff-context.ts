// What a handoff carries beyond "your turn": the request, the deadline and the outputs of the
// earlier steps (trimmed to Slack's limits, with a link to the thread for the rest), and the
// same context as message metadata (`projectlead_step_assigned`) for apps that read metadata
// rather than text; a run's close as `projectlead_run_closed`. Pure.
import type { KnownBlock, MessageMetadata } from '@slack/types';
import type { StepContext } from '../../domain/step-context.ts';
import type { Run } from '../../domain/types.ts';
import { context, section, userText } from './kit.ts';
import { oneLine, truncate } from './limits.ts';

export const STEP_ASSIGNED_EVENT = 'projectlead_step_assigned';
export const RUN_CLOSED_EVENT = 'projectlead_run_closed';

/** Room for the earlier outputs in one section (Slack's limit is 3000 characters). */
const EARLIER_BUDGET = 2600;
const EACH_OUTPUT = 600;
/** Metadata stays small: each text field trimmed. */
const META_TEXT = 1000;

/** `<!date^…|fallback>`: Slack shows it in the reader's time zone. */
function slackDate(iso: string): string {
  const s = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${s}^{date_short_pretty} {time}|${iso}>`;
}

/** The handoff's context blocks: request, deadline, earlier outputs. */
export function handoffContextBlocks(c: StepContext, link: string | null): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  const head = [`*Request:* ${userText(oneLine(c.request.text, 600), 800)}`];
  if (c.due_at) head.push(`*Due:* ${slackDate(c.due_at)}`);
  if (c.collects.length > 0)
    head.push(
      `*Facts to record:* ${c.collects.map((f) => `\`${f}: …\``).join(', ')} (own lines after \`done\`)`,
    );
  blocks.push(section(head.join('\n')));
  if (c.earlier_outputs.length > 0) {
    const lines: string[] = [];
    let used = 0;
    let cut = false;
    for (const e of c.earlier_outputs) {
      const what = e.status === 'skipped' ? `skipped: ${e.output ?? ''}` : (e.output ?? '(no output)');
      const line = `• *${userText(oneLine(e.step_title, 100), 150)}:* ${userText(oneLine(what, EACH_OUTPUT), EACH_OUTPUT + 100)}`;
      if (used + line.length > EARLIER_BUDGET) {
        cut = true;
        break;
      }
      if (oneLine(what, EACH_OUTPUT) !== what.replace(/\s+/g, ' ').trim()) cut = true;
      lines.push(line);
      used += line.length + 1;
    }
    blocks.push(section(`*Earlier outputs*\n${lines.join('\n')}`));
    if (cut) {
      blocks.push(
        context(
          link
            ? `Trimmed: <${link}|the whole outputs are in the thread>.`
            : 'Trimmed: the whole outputs are in this thread.',
        ),
      );
    }
  }
  return blocks;
}

/**
 * The same context as plain lines for the message's `text` (what an app reading only the text
 * sees); the caller's fitMessage escapes it and keeps it within Slack's limit.
 */
export function handoffContextText(c: StepContext): string {
  const lines = [`Request: ${oneLine(c.request.text, 500)}`];
  if (c.output) lines.push(`Expected output: ${oneLine(c.output, 300)}`);
  if (c.gate) lines.push(`Gate: ${oneLine(c.gate.check, 200)}`);
  if (c.due_at) lines.push(`Due: ${c.due_at}`);
  if (c.earlier_outputs.length > 0) {
    lines.push('Earlier outputs:');
    for (const e of c.earlier_outputs) {
      const what = e.status === 'skipped' ? `skipped: ${e.output ?? ''}` : (e.output ?? '(no output)');
      lines.push(`- ${oneLine(e.step_title, 80)}: ${oneLine(what, 300)}`);
    }
  }
  return lines.join('\n');
}

const short = (s: string | null) => (s === null ? null : truncate(s, META_TEXT));

/**
 * The handoff's metadata payload: the step's context (../shared/CONTRACT.md: run_id, chain,
 * step_key, step_title, owners, assignees, output, gate, due_at, thread_ts and more), flat enough
 * for Slack's metadata (objects of scalars, arrays), its texts trimmed.
 */
export function stepAssignedMetadata(c: StepContext, run?: Run | null): MessageMetadata {
  const payload = {
    run_id: c.run_id,
    chain: c.chain,
    chain_title: c.chain_title,
    run_title: short(c.run_title),
    step_key: c.step_key,
    step_title: c.step_title,
    position: c.position,
    total: c.total,
    owners: c.owners,
    assignees: c.assignees,
    output: short(c.output),
    gate: c.gate,
    collects: c.collects,
    due_at: c.due_at,
    channel_id: run?.channelId ?? c.channel_id,
    // A run started by /lead has its thread once the root is posted: the run knows it by now.
    thread_ts: run?.threadTs ?? run?.rootTs ?? c.thread_ts,
    request: {
      text: truncate(c.request.text, META_TEXT),
      requester: c.request.requester,
      severity: c.request.severity,
      release_type: c.request.release_type,
    },
    projects: c.request.projects,
    flags: c.request.flags,
    earlier_outputs: c.earlier_outputs.map((e) => ({
      step_key: e.step_key,
      step_title: e.step_title,
      status: e.status,
      output: short(e.output),
      completed_at: e.completed_at,
    })),
  };
  return {
    event_type: STEP_ASSIGNED_EVENT,
    event_payload: payload as unknown as MessageMetadata['event_payload'],
  };
}

/** A closed run's metadata: its outcome and each step's output. */
export function runClosedMetadata(runId: string, run?: Run | null): MessageMetadata {
  const payload = {
    run_id: runId,
    chain: run?.chain ?? null,
    title: run ? truncate(run.title, META_TEXT) : null,
    status: run?.status ?? null,
    created_at: run ? new Date(run.createdAt).toISOString() : null,
    closed_at: run?.closedAt ? new Date(run.closedAt).toISOString() : null,
    channel_id: run?.channelId ?? null,
    thread_ts: run?.threadTs ?? run?.rootTs ?? null,
    steps: (run?.steps ?? []).map((s) => ({
      step_key: s.key,
      step_title: s.title,
      status: s.status,
      output: short(s.output),
    })),
  };
  return {
    event_type: RUN_CLOSED_EVENT,
    event_payload: payload as unknown as MessageMetadata['event_payload'],
  };
}
