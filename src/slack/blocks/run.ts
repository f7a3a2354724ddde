// The run's root message (kept current with chat.update) and its status card for /lead status.

import type { KnownBlock } from '@slack/types';
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import { CHAIN_TITLES, SEVERITY_LABELS } from '../../../routing/vocabulary.ts';
import { liveChild } from '../../domain/links.ts';
import type { Run, Step, StepStatus } from '../../domain/types.ts';
import { gdprClockOf } from '../../services/clocks/gdpr-clock.ts';
import { alertRootLines } from './alerts.ts';
import { slackDate } from './clocks/time.ts';
import {
  context,
  divider,
  fields,
  fitMessage,
  formatDuration,
  header,
  mention,
  mentionAll,
  quote,
  type SlackMessage,
  section,
  userText,
} from './kit.ts';
import { LIMITS, oneLine } from './limits.ts';
import { linkLines, originLines } from './links.ts';

export const STEP_EMOJI: Record<StepStatus, string> = {
  done: '✅',
  active: '▶️',
  skipped: '⏭️',
  blocked: '⛔',
  rejected: '✖',
  pending: '◻️',
};

export const RUN_STATUS_LABEL: Record<Run['status'], string> = {
  active: '▶️ Active',
  blocked: '⛔ Blocked',
  done: '✅ Done',
  rejected: '✖ Rejected',
  cancelled: '🚫 Cancelled',
};

export const severityLabel = (s: string | null): string =>
  s ? ((SEVERITY_LABELS as Readonly<Record<string, string>>)[s] ?? s) : '—';
const releaseLabel = (r: string | null): string => (r ? r[0]!.toUpperCase() + r.slice(1) : '—');

export const chainTitle = (run: Pick<Run, 'chain'>, playbook?: Pick<Playbook, 'title'> | null): string =>
  playbook?.title ?? (CHAIN_TITLES as Readonly<Record<string, string>>)[run.chain] ?? run.chain;

/** The step the run is on: active or blocked. */
export const currentStep = (run: Run): Step | undefined =>
  run.steps.find((s) => s.status === 'active' || s.status === 'blocked');

/** Who may act on the step now, as mentions: "<@U1> (@Atlas), @Ghabs (nobody holds it)". */
export function stepOwners(step: Step): string {
  const roles = [...step.owners, ...step.approvers].filter((r) => !step.deliveries[r]);
  return (roles.length > 0 ? roles : step.owners)
    .map((role) => {
      const who = step.assignees[role] ?? [];
      return who.length > 0 ? `${mentionAll(who)} (@${role})` : `@${role}`;
    })
    .join(', ');
}

/**
 * The progress line over all steps: "✅ Vision & Scope › ▶️ Technical Feasibility › ◻️ …".
 * When the titles do not fit a section, numbered emojis alone.
 */
export function progressLine(run: Run, max: number = LIMITS.sectionText - 100): string {
  const full = run.steps.map((s) => `${STEP_EMOJI[s.status]} ${oneLine(s.title, 60)}`).join('  ›  ');
  if (full.length <= max) return full;
  const compact = run.steps.map((s) => `${STEP_EMOJI[s.status]}${s.idx + 1}`).join(' ');
  return compact.length <= max ? compact : run.steps.map((s) => STEP_EMOJI[s.status]).join('');
}

/** One line on where the run is: the current step and its owners, or how it ended. */
export function runStateLine(run: Run): string {
  const step = currentStep(run);
  const total = run.steps.length;
  switch (run.status) {
    case 'done':
      return `✅ *Done*${run.closedAt !== null ? ` in ${formatDuration(run.closedAt - run.createdAt)}` : ''}.`;
    case 'rejected': {
      const at = run.steps.find((s) => s.status === 'rejected');
      return at
        ? `✖ *Rejected* at *${userText(at.title, 150)}*${at.output ? `: ${userText(at.output, 1000)}` : ''}`
        : '✖ *Rejected*.';
    }
    case 'cancelled':
      return '🚫 *Cancelled*.';
    default:
      if (!step) return run.status === 'blocked' ? '⛔ *Blocked*.' : '▶️ *Active*.';
      if (step.status === 'blocked') {
        return `⛔ *Blocked* at *${userText(step.title, 150)}* (${step.idx + 1}/${total})${
          step.blockReason ? `: ${userText(step.blockReason, 1000)}` : ''
        }${step.blockedBy ? ` (by ${mention(step.blockedBy)})` : ''}`;
      }
      {
        const child = liveChild(run, step.key);
        if (child)
          return `▶️ *Now:* *${userText(step.title, 150)}* (${step.idx + 1}/${total}) runs as *${child.runId}*: done when it is done.`;
      }
      return `▶️ *Now:* *${userText(step.title, 150)}* (${step.idx + 1}/${total}), ${stepOwners(step)}`;
  }
}

/**
 * The GDPR Art. 33 clock while it runs (until Privacy records the notification), as of `now`;
 * null when it never started or stopped.
 */
export function gdprClockLine(run: Run, now: number): string | null {
  const clock = gdprClockOf(run, now);
  if (!clock?.running) return null;
  const left = clock.overdue
    ? `overdue by ${formatDuration(-clock.remainingMs)}`
    : `${formatDuration(clock.remainingMs)} left`;
  return `🛡️ *GDPR Art. 33:* notify the supervisory authority by ${slackDate(clock.deadlineAt)} (${left}). @Privacy records it with \`/lead gdpr ${run.id} notified\`.`;
}

/**
 * The root message of a run: chain, run ID, requester, severity, release type, progress, and
 * the GDPR clock while it runs (`now` from the caller's clock: the time left shown).
 */
export function buildRootMessage(
  run: Run,
  playbook?: Pick<Playbook, 'title'> | null,
  now?: number,
  /** Permalinks of linked runs' threads, by run ID. */
  linkPermalinks?: Record<string, string>,
): SlackMessage {
  const chain = chainTitle(run, playbook);
  const title = oneLine(run.title, 200);
  const blocks: KnownBlock[] = [
    header(`${chain} · ${run.id}`),
    section(`*${userText(title, 300)}*`),
    fields([
      ['Requester', mention(run.requester)],
      ['Status', RUN_STATUS_LABEL[run.status]],
      ['Severity', severityLabel(run.severity)],
      ['Release type', releaseLabel(run.releaseType)],
      ...(run.projects.length > 0 ? ([['Projects', run.projects.join(', ')]] as const) : []),
    ]),
  ];
  const request = run.requestText.trim();
  if (request && request !== run.title.trim()) blocks.push(section(quote(request, 2000)));
  blocks.push(divider(), section(`*Progress*\n${progressLine(run)}`), section(runStateLine(run)));
  const gdpr = now === undefined ? null : gdprClockLine(run, now);
  if (gdpr) blocks.push(section(gdpr));
  blocks.push(...alertRootLines(run), ...originLines(run), ...linkLines(run, linkPermalinks));
  const summary = run.context.summary ?? [];
  if (summary.length > 0) blocks.push(context(...summary.map((l) => userText(l, 500))));
  blocks.push(context('✅ done · ▶️ current · ⏭️ skipped · ⛔ blocked · ✖ rejected · ◻️ pending'));
  const step = currentStep(run);
  const current =
    step && run.status !== 'done' ? ` · ${step.title} (${step.idx + 1}/${run.steps.length})` : '';
  const text = `${chain} ${run.id}: ${title} · ${RUN_STATUS_LABEL[run.status]}${current} · requested by ${mention(run.requester)}${gdpr ? ' · GDPR notification due' : ''}`;
  return fitMessage({ text, blocks });
}

/** The run as `/lead status RUN-ID` shows it. */
export function buildRunStatus(run: Run, playbook?: Pick<Playbook, 'title'> | null): SlackMessage {
  const chain = chainTitle(run, playbook);
  const blocks: KnownBlock[] = [
    section(
      `*${run.id}* · ${chain} · *${userText(oneLine(run.title, 200), 300)}*\n${RUN_STATUS_LABEL[run.status]} · severity ${severityLabel(run.severity)} · requested by ${mention(run.requester)}`,
    ),
    section(progressLine(run)),
    section(runStateLine(run)),
    ...linkLines(run),
  ];
  return fitMessage({ text: `${run.id} (${chain}): ${oneLine(run.title, 200)}, ${run.status}`, blocks });
}

/** Several runs, e.g. those open in a channel. */
export function buildRunStatusList(
  runs: readonly Run[],
  playbooks: readonly Pick<Playbook, 'id' | 'title'>[] = [],
): SlackMessage {
  if (runs.length === 0) {
    return {
      text: 'No open runs here.',
      blocks: [section('No open runs here. Start one with `/lead <request>`.')],
    };
  }
  const byId = new Map(playbooks.map((p) => [p.id, p]));
  const blocks: KnownBlock[] = [section(`*${runs.length} open run${runs.length === 1 ? '' : 's'}*`)];
  for (const run of runs) {
    blocks.push(divider(), ...buildRunStatus(run, byId.get(run.chain)).blocks);
  }
  return fitMessage({ text: `${runs.length} open run(s): ${runs.map((r) => r.id).join(', ')}`, blocks });
}
