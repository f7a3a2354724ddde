// The SOP's audit cadence (Compliance Review: "quarterly, every 3 months, full ecosystem; after
// any security or data incident, affected systems"): a quarterly review starts by itself on a
// schedule in the work time zone, once per quarter across processes (its idempotency key is the
// quarter), caught up once after downtime, never for a quarter whose date came before the
// install; and an incident that found user data exposed, or was flagged security, starts an
// Incident Audit of the affected systems when it is done.
import { TZDate } from '@date-fns/tz';
import type { Clock } from '../../core/clock.ts';
import type { RunTransition } from '../../domain/run-machine.ts';
import { type Run, SYSTEM_ACTOR } from '../../domain/types.ts';
import type { Repositories } from '../../persistence/ports.ts';
import { lastOccurrence } from '../digests/digest-periods.ts';
import { startLinked } from '../links/linked-runs.ts';
import type { RunService, TransitionHook } from '../run-service.ts';

const DAY = 24 * 60 * 60 * 1000;
/** How far back the catch-up looks for the schedule's last date: a quarter and a little. */
export const QUARTER_LOOKBACK_MS = 95 * DAY;

/** `2026-Q4`: the quarter of a moment, in the zone. */
export function quarterOf(at: number, timeZone: string): string {
  const local = new TZDate(at, timeZone);
  return `${local.getFullYear()}-Q${Math.floor(local.getMonth() / 3) + 1}`;
}

export interface AuditCadenceDeps {
  runs: Pick<RunService, 'startRun'>;
  clock: Clock;
  /** Cron expression of the quarterly review (AUDIT_QUARTERLY_CRON), in `timeZone`. */
  schedule: string;
  timeZone: string;
  /** Where the review is posted; none: the cadence is off. */
  channel: string | null;
  /** When ProjectLead was installed (its first start): nothing is owed from before. */
  installedAt: () => Promise<number>;
}

export type QuarterlyResult =
  | { started: true; runId: string; quarter: string }
  | {
      started: false;
      reason: 'off' | 'not_due' | 'before_install' | 'already_started';
      quarter?: string;
      runId?: string;
    };

export function createAuditCadence(deps: AuditCadenceDeps) {
  return {
    /**
     * Start the review of the schedule's latest date at or before `at` (now by default), unless
     * it was started already (by this process or another) or that date came before the install.
     */
    async startQuarterly(at: number = deps.clock()): Promise<QuarterlyResult> {
      if (!deps.channel) return { started: false, reason: 'off' };
      const due = lastOccurrence(deps.schedule, deps.timeZone, at, QUARTER_LOOKBACK_MS);
      if (due === null) return { started: false, reason: 'not_due' };
      const quarter = quarterOf(due, deps.timeZone);
      if (due < (await deps.installedAt())) return { started: false, reason: 'before_install', quarter };
      const { run, created } = await deps.runs.startRun({
        chain: 'compliance',
        title: `Quarterly Compliance Review ${quarter}`,
        text: `Scheduled quarterly review (${quarter}): the full ecosystem, every project and risk domain.`,
        requester: SYSTEM_ACTOR,
        channelId: deps.channel,
        source: 'schedule',
        auditType: 'quarterly',
        context: { schedule: { kind: 'quarterly', quarter, dueAt: due } },
        idempotencyKeys: [`audit:quarterly:${quarter}`],
      });
      return created
        ? { started: true, runId: run.id, quarter }
        : { started: false, reason: 'already_started', quarter, runId: run.id };
    },
  };
}

export type AuditCadence = ReturnType<typeof createAuditCadence>;

/** Whether a run closing now owes an Incident Audit: a done incident with data exposed or flagged security. */
export function owesIncidentAudit(run: Run, closedNow: boolean): boolean {
  if (run.chain !== 'incident' || run.status !== 'done' || !closedNow) return false;
  return run.context.userDataExposed === true || run.flags.includes('security');
}

/**
 * The transition hook that starts an Incident Audit when an incident that exposed user data, or
 * was flagged security, is done: in the same transaction, once (keyed by the incident), linked
 * to the incident both ways.
 */
export function createIncidentAuditHook(deps: {
  runs: () => Pick<RunService, 'startIn' | 'applyIn'>;
}): TransitionHook {
  return {
    async beforeSave(repos: Repositories, tr: RunTransition, now: number) {
      const closedNow = tr.events.some((e) => e.type === 'run_completed');
      if (!owesIncidentAudit(tr.run, closedNow)) return;
      const incident = tr.run;
      const why =
        incident.context.userDataExposed === true ? 'user data was exposed' : 'it was flagged security';
      await startLinked(
        deps.runs(),
        repos,
        now,
        incident,
        {
          chain: 'compliance',
          title: `Incident Audit after ${incident.id}: ${incident.title}`,
          text: `${incident.id} (${incident.severity?.toUpperCase() ?? 'incident'}) is done and ${why}: audit the affected systems${incident.projects.length > 0 ? ` (${incident.projects.join(', ')})` : ''}.`,
          requester: SYSTEM_ACTOR,
          channelId: incident.channelId,
          source: 'schedule',
          auditType: 'incident',
          projects: incident.projects,
          flags: incident.flags,
          context: { startedBy: { runId: incident.id, reason: why } },
          idempotencyKeys: [`audit:incident:${incident.id}`],
        },
        'audit',
        { here: `${incident.id} is done and ${why}`, there: why },
      );
    },
    async afterTransition() {},
  };
}
