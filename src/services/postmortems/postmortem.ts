// Post-mortem drafts (Incident Response step 8: "timeline, root cause, remediation,
// prevention"), written from the run's events and step outputs. No blame: the draft names
// steps and roles, and leaves prevention to @Atlas and @OpsCommander.
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import type { ChainId } from '../../../routing/vocabulary.ts';
import type { Clock } from '../../core/clock.ts';
import { linksOf } from '../../domain/links.ts';
import type { Actor, Run, RunEvent } from '../../domain/types.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Store } from '../../persistence/ports.ts';
import { humanDuration, localDateTime } from '../clocks/business-time.ts';
import { gdprClockOf } from '../clocks/gdpr-clock.ts';

export const POSTMORTEM_CHAIN: ChainId = 'incident';

export interface PostmortemDraft {
  runId: string;
  title: string;
  severity: string | null;
  /** The draft as Markdown (users as `@U…`). */
  markdown: string;
  /** Its follow-ups, each a line that can become a Bug Fix or New Feature run of its own. */
  followUps: string[];
}

const user = (id: string) => (id === 'system' ? 'ProjectLead (bot)' : `@${id}`);

/** Timeline wording per event type; other types are left out of the timeline. */
function timelineLine(e: RunEvent, run: Run): string | null {
  const step = run.steps.find((s) => s.key === e.stepKey);
  const title = step?.title ?? e.stepKey ?? '';
  const d = e.data;
  switch (e.type) {
    case 'run_started':
      return `Incident declared by ${user(e.actor)}${d.severity ? ` (${String(d.severity).toUpperCase()})` : ''}`;
    case 'step_completed':
      return `${title} done by ${user(e.actor)}${d.output ? `: ${String(d.output).split('\n')[0]}` : ''}`;
    case 'step_delivered':
      return `${title}: @${d.role} delivered (${user(e.actor)})`;
    case 'step_blocked':
    case 'gate_failed': {
      const what =
        e.type === 'gate_failed' ? ' (the gate failed)' : d.waiting ? ' (waiting on something)' : '';
      return `${title} blocked by ${user(e.actor)}${what}: ${d.reason}`;
    }
    case 'step_unblocked':
    case 'risk_accepted':
      return `${title} unblocked by ${user(e.actor)}${d.rationale ? ` (${d.rationale})` : ''}`;
    case 'step_skipped':
      return d.automatic ? null : `${title} skipped by ${user(e.actor)}: ${d.reason}`;
    case 'step_reassigned':
      return `${title} reassigned (@${d.role}) by ${user(e.actor)}`;
    case 'context_changed': {
      const changes = d.changes as Record<string, { from: unknown; to: unknown }>;
      return `Recorded by ${user(e.actor)}: ${Object.entries(changes)
        .map(([k, v]) => `${k} ${JSON.stringify(v.from)} → ${JSON.stringify(v.to)}`)
        .join(', ')}`;
    }
    case 'notified':
      return `Notified ${(d.roles as string[]).map((r) => `@${r}`).join(', ')}: ${d.reason}`;
    case 'timer_fired':
      if (d.skipped) return null;
      if (String(d.kind).includes('escalation')) {
        const to = ((d.escalatedTo as string[] | undefined) ?? []).map((r) => `@${r}`);
        if (Array.isArray(d.adminsTold))
          to.push(d.adminsTold.length > 0 ? 'the admins' : 'no admin (none is set)');
        return `${title} escalated to ${to.join(', ') || 'no role holder'}`;
      }
      if (d.kind === 'gdpr') return `GDPR clock: ${d.mark} reminder to @Privacy and @Ghabs`;
      return null;
    case 'gdpr_clock_started':
      return 'GDPR Art. 33: 72-hour notification clock started';
    case 'gdpr_notification_recorded':
      return `GDPR notification recorded by ${user(e.actor)}${d.withinDeadline ? ' (within 72 h)' : ' (after the 72 h deadline)'}`;
    case 'run_completed':
      return 'Incident run completed';
    case 'run_cancelled':
      return `Incident run cancelled by ${user(e.actor)}${d.reason ? `: ${d.reason}` : ''}`;
    default:
      return null;
  }
}

export function buildPostmortemDraft(
  run: Run,
  events: RunEvent[],
  o: { timeZone: string; playbook?: Playbook; now: number },
): PostmortemDraft {
  if (run.chain !== POSTMORTEM_CHAIN) {
    throw new ValidationError(
      'not_incident',
      `${run.id} is not an incident: post-mortems are drafted for Incident Response runs.`,
    );
  }
  const at = (ms: number) => `${localDateTime(ms, o.timeZone)} ${o.timeZone}`;
  const out = (key: string) => run.steps.find((s) => s.key === key)?.output?.trim() || null;
  const todo = (key: string, who: string) => out(key) ?? `_Not recorded yet (${who})._`;
  const sevRow = o.playbook?.severities?.incident?.find((s) => s.id === run.severity);
  const mitigated = run.steps.find((s) => s.key === 'mitigate' && s.status === 'done')?.completedAt ?? null;
  const lines: string[] = [];
  lines.push(`# Post-mortem draft: ${run.id} ${run.title}`, '');
  lines.push(
    `- **Severity:** ${run.severity ? `${run.severity.toUpperCase()}${sevRow ? ` (${sevRow.definition})` : ''}` : 'not assessed'}`,
  );
  lines.push(`- **Status:** ${run.status}`);
  lines.push(`- **Declared:** ${at(run.createdAt)} by ${user(run.requester)}`);
  lines.push(
    `- **Service restored:** ${mitigated ? `${at(mitigated)} (${humanDuration(mitigated - run.createdAt)} after detection)` : 'not yet'}`,
  );
  if (run.closedAt)
    lines.push(`- **Closed:** ${at(run.closedAt)} (${humanDuration(run.closedAt - run.createdAt)} in all)`);
  lines.push('', '## Impact', todo('detect', '@OpsCommander, Detect'));
  if (out('assess_severity')) lines.push('', out('assess_severity')!);
  lines.push('', '## Timeline');
  const timeline = events.map((e) => [e, timelineLine(e, run)] as const).filter(([, l]) => l !== null);
  for (const [e, l] of timeline) lines.push(`- ${localDateTime(e.at, o.timeZone)} ${l}`);
  lines.push('', '## Root cause', todo('diagnose', 'Diagnose'));
  lines.push('', '## Mitigation', todo('mitigate', '@OpsCommander, Mitigate'));
  lines.push('', '## Permanent fix', todo('permanent_fix', 'Tier 2 lead, Permanent Fix'));
  const breach = run.steps.find((s) => s.key === 'breach_assessment');
  const clock = gdprClockOf(run, o.now);
  lines.push('', '## Data protection');
  lines.push(
    breach?.status === 'skipped'
      ? `Breach assessment skipped: ${breach.skipReason ?? ''}`
      : todo('breach_assessment', '@Privacy, Breach Assessment'),
  );
  if (clock) {
    lines.push(
      clock.running
        ? `GDPR Art. 33 clock running: notification due ${at(clock.deadlineAt)}${clock.overdue ? ' (OVERDUE)' : ''}.`
        : clock.notifiedAt
          ? `GDPR notification recorded ${at(clock.notifiedAt)}${clock.notifiedAt <= clock.deadlineAt ? ', within 72 h' : ', after the 72 h deadline'}.`
          : 'GDPR clock stopped: no user data exposed after all.',
    );
  }
  lines.push('', '## Follow-ups');
  const followUps: string[] = [];
  for (const s of run.steps) {
    if (s.status === 'active' || s.status === 'pending' || s.status === 'blocked') {
      followUps.push(
        `- [ ] ${s.title} (${[...s.owners, ...s.approvers].map((r) => `@${r}`).join(', ')})${s.status === 'blocked' ? `: blocked, ${s.blockReason}` : ''}`,
      );
    }
  }
  if (clock?.running)
    followUps.push('- [ ] @Privacy: notify the supervisory authority and record it (GDPR Art. 33)');
  const escalations = events.filter(
    (e) => e.type === 'timer_fired' && String(e.data.kind).includes('escalation') && !e.data.skipped,
  );
  if (escalations.length > 0)
    followUps.push(`- [ ] Review the ${escalations.length} escalation(s): why did the handoffs wait?`);
  followUps.push('- [ ] Update the runbook (@Scribe)');
  lines.push(...followUps);
  // Follow-ups already turned into runs of their own, with their state.
  const opened = linksOf(run).filter((l) => l.relation === 'follow_up');
  for (const l of opened)
    lines.push(`- [${l.status === 'done' ? 'x' : ' '}] ${l.runId}: ${l.title} (${l.status})`);
  lines.push(
    '',
    '## Prevention',
    '_To be written by @Atlas and @OpsCommander. No blame: systems, not people._',
  );
  const openedTitles = new Set(opened.map((l) => l.title.trim().toLowerCase()));
  return {
    runId: run.id,
    title: run.title,
    severity: run.severity,
    markdown: lines.join('\n'),
    followUps: followUps
      .map((f) => f.replace(/^- \[ \] /, ''))
      .filter((f) => !openedTitles.has(f.trim().toLowerCase())),
  };
}

export interface PostmortemServiceDeps {
  store: Store;
  clock: Clock;
  playbooks: Playbook[];
  timeZone: string;
}

export function createPostmortemService(deps: PostmortemServiceDeps) {
  const playbook = deps.playbooks.find((p) => p.id === POSTMORTEM_CHAIN);

  async function load(repos: Store['read'], runId: string) {
    const run = await repos.runs.get(runId);
    if (!run) throw new NotFoundError('run_not_found', `There is no run ${runId}.`);
    return buildPostmortemDraft(run, await repos.events.forRun(runId), {
      timeZone: deps.timeZone,
      playbook,
      now: deps.clock(),
    });
  }

  return {
    /** The draft, read-only (CLI). */
    draft: (runId: string): Promise<PostmortemDraft> => load(deps.store.read, runId),
    /** Draft and post it in the run's thread (`/lead postmortem RUN-ID`). */
    postPostmortem(runId: string, actor: Actor): Promise<PostmortemDraft> {
      return deps.store.transaction(async (repos) => {
        const draft = await load(repos, runId);
        const now = deps.clock();
        await repos.events.append([
          {
            runId,
            at: now,
            actor: actor.userId,
            type: 'postmortem_drafted',
            stepKey: null,
            data: { chars: draft.markdown.length },
          },
        ]);
        await repos.outbox.enqueue(
          [
            {
              runId,
              delivery: { kind: 'thread' },
              notice: { type: 'postmortem', runId, markdown: draft.markdown, followUps: draft.followUps },
            },
          ],
          now,
        );
        return draft;
      });
    },
  };
}

export type PostmortemService = ReturnType<typeof createPostmortemService>;
