// Queries for clocks, digests and metrics: batch timer claims and aggregates computed in SQL,
// so a scheduler tick and a weekly digest stay fast over 100k runs and 1M events. Services see
// the `ClockQueries` port; the SQL (SQLite dialect) stays in this file.
import { and, asc, eq, gte, inArray, isNull, lt, lte, notInArray, or, sql } from 'drizzle-orm';
import * as t from '../../../drizzle/schema.ts';
import { CLOSED_RUN_STATUSES, type Run, type Step } from '../../domain/types.ts';
import type {
  ChainStatsRow,
  ClockQueries,
  ClosedRunRow,
  GdprTimerRow,
  OpenStepRow,
  Store,
  TimerRow,
  TimerRunView,
} from '../ports.ts';
import type { Orm } from './database.ts';
import { toTimer } from './repositories/timers.ts';
import { SqliteStore } from './store.ts';

const CHUNK = 500;
function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

const OPEN = ['active', 'blocked'];

/** The columns that name a run and link to its thread. */
const RUN_HEAD = {
  id: t.runs.id,
  chain: t.runs.chain,
  title: t.runs.title,
  status: t.runs.status,
  severity: t.runs.severity,
  channelId: t.runs.channelId,
  threadTs: t.runs.threadTs,
  rootTs: t.runs.rootTs,
};

export class SqliteClockQueries implements ClockQueries {
  constructor(private readonly orm: Orm) {}

  async claimDueTimers(now: number, limit: number, worker: string): Promise<TimerRow[]> {
    // One statement: pick the due ones and flip them, guarded by status = 'pending' again so a
    // row another connection fired first is never claimed twice.
    const picked = this.orm
      .select({ id: t.timers.id })
      .from(t.timers)
      .where(and(eq(t.timers.status, 'pending'), lte(t.timers.dueAt, now)))
      .orderBy(asc(t.timers.dueAt), asc(t.timers.id))
      .limit(limit);
    const rows = this.orm
      .update(t.timers)
      .set({ status: 'fired', claimedBy: worker, firedAt: now })
      .where(and(inArray(t.timers.id, picked), eq(t.timers.status, 'pending')))
      .returning()
      .all();
    return rows.map(toTimer).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
  }

  async firedCount(stepIds: number[], kinds: string[], excludeIds: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    const excluded = new Set(excludeIds);
    for (const ids of chunks([...new Set(stepIds)])) {
      const rows = this.orm
        .select({ id: t.timers.id, stepId: t.timers.stepId })
        .from(t.timers)
        .where(
          and(inArray(t.timers.stepId, ids), eq(t.timers.status, 'fired'), inArray(t.timers.kind, kinds)),
        )
        .all();
      for (const r of rows) {
        if (r.stepId === null || excluded.has(r.id)) continue;
        out.set(r.stepId, (out.get(r.stepId) ?? 0) + 1);
      }
    }
    return out;
  }

  async timerRuns(runIds: string[]): Promise<Map<string, TimerRunView>> {
    const out = new Map<string, TimerRunView>();
    for (const ids of chunks([...new Set(runIds)])) {
      const runs = this.orm
        .select({
          ...RUN_HEAD,
          context: t.runs.context,
          requester: t.runs.requester,
        })
        .from(t.runs)
        .where(inArray(t.runs.id, ids))
        .all();
      for (const r of runs) {
        out.set(r.id, {
          run: { ...r, status: r.status as Run['status'], severity: r.severity as Run['severity'] },
          steps: new Map(),
        });
      }
      const steps = this.orm
        .select({
          id: t.steps.id,
          runId: t.steps.runId,
          key: t.steps.key,
          title: t.steps.title,
          owners: t.steps.owners,
          approvers: t.steps.approvers,
          assignees: t.steps.assignees,
          deliveries: t.steps.deliveries,
          status: t.steps.status,
          acknowledgedAt: t.steps.acknowledgedAt,
          startedAt: t.steps.startedAt,
          blockReason: t.steps.blockReason,
        })
        .from(t.steps)
        .where(and(inArray(t.steps.runId, ids), inArray(t.steps.status, OPEN)))
        .all();
      for (const s of steps) {
        const { runId, ...step } = s;
        out.get(runId)?.steps.set(s.id, { ...step, status: s.status as Step['status'] });
      }
    }
    return out;
  }

  async pushPending(stepId: number, kinds: string[], dueAt: number): Promise<number> {
    return this.orm
      .update(t.timers)
      .set({ dueAt })
      .where(
        and(
          eq(t.timers.stepId, stepId),
          eq(t.timers.status, 'pending'),
          inArray(t.timers.kind, kinds),
          lt(t.timers.dueAt, dueAt),
        ),
      )
      .run().changes;
  }

  async pendingForStep(stepId: number): Promise<TimerRow[]> {
    return this.orm
      .select()
      .from(t.timers)
      .where(and(eq(t.timers.stepId, stepId), eq(t.timers.status, 'pending')))
      .orderBy(asc(t.timers.dueAt))
      .all()
      .map(toTimer);
  }

  async openSteps(): Promise<OpenStepRow[]> {
    const rows = this.orm
      .select({
        runId: t.runs.id,
        chain: t.runs.chain,
        title: t.runs.title,
        runStatus: t.runs.status,
        severity: t.runs.severity,
        channelId: t.runs.channelId,
        threadTs: t.runs.threadTs,
        rootTs: t.runs.rootTs,
        runCreatedAt: t.runs.createdAt,
        blockedReason: t.runs.blockedReason,
        stepId: t.steps.id,
        stepKey: t.steps.key,
        stepTitle: t.steps.title,
        stepStatus: t.steps.status,
        owners: t.steps.owners,
        approvers: t.steps.approvers,
        assignees: t.steps.assignees,
        deliveries: t.steps.deliveries,
        startedAt: t.steps.startedAt,
        acknowledgedAt: t.steps.acknowledgedAt,
        blockReason: t.steps.blockReason,
        blockedBy: t.steps.blockedBy,
        blockedByRole: t.steps.blockedByRole,
      })
      .from(t.runs)
      .innerJoin(t.steps, and(eq(t.steps.runId, t.runs.id), inArray(t.steps.status, OPEN)))
      .where(inArray(t.runs.status, OPEN))
      .orderBy(asc(t.runs.createdAt), asc(t.runs.seq))
      .all();
    return rows.map((r) => ({
      ...r,
      runStatus: r.runStatus as Run['status'],
      stepStatus: r.stepStatus as Step['status'],
    }));
  }

  async stepsPastTimers(kinds: string[], ackKinds: string[], now: number): Promise<Map<number, number>> {
    const rows = this.orm
      .select({ stepId: t.timers.stepId, at: sql<number>`min(${t.timers.dueAt})` })
      .from(t.timers)
      .innerJoin(t.steps, eq(t.steps.id, t.timers.stepId))
      .where(
        and(
          inArray(t.steps.status, OPEN),
          inArray(t.timers.kind, kinds),
          notInArray(t.timers.status, ['cancelled']),
          lte(t.timers.dueAt, now),
          or(notInArray(t.timers.kind, ackKinds), isNull(t.steps.acknowledgedAt)),
        ),
      )
      .groupBy(t.timers.stepId)
      .all();
    return new Map(rows.filter((r) => r.stepId !== null).map((r) => [r.stepId!, r.at]));
  }

  private closedWhere(from: number, to: number, status?: Run['status'][]) {
    const where = [gte(t.runs.closedAt, from), lt(t.runs.closedAt, to)];
    if (status) where.push(inArray(t.runs.status, status));
    return and(...where);
  }

  async closedRuns(
    from: number,
    to: number,
    status?: Run['status'][],
    limit = 1000,
  ): Promise<ClosedRunRow[]> {
    const rows = this.orm
      .select({
        ...RUN_HEAD,
        createdAt: t.runs.createdAt,
        closedAt: t.runs.closedAt,
      })
      .from(t.runs)
      .where(this.closedWhere(from, to, status))
      .orderBy(sql`${t.runs.closedAt} desc`, sql`${t.runs.id} desc`)
      .limit(limit)
      .all();
    return rows.map((r) => ({ ...r, status: r.status as Run['status'], closedAt: r.closedAt ?? 0 }));
  }

  async countClosed(from: number, to: number, status?: Run['status'][]): Promise<number> {
    return (
      this.orm
        .select({ n: sql<number>`count(*)` })
        .from(t.runs)
        .where(this.closedWhere(from, to, status))
        .get()?.n ?? 0
    );
  }

  async chainStats(from: number | null, to: number | null): Promise<ChainStatsRow[]> {
    const where = [inArray(t.runs.status, [...CLOSED_RUN_STATUSES])];
    if (from !== null) where.push(gte(t.runs.closedAt, from));
    if (to !== null) where.push(lt(t.runs.closedAt, to));
    return this.orm
      .select({
        chain: t.runs.chain,
        closed: sql<number>`count(*)`,
        done: sql<number>`sum(case when ${t.runs.status} = 'done' then 1 else 0 end)`,
        avgDurationMs: sql<
          number | null
        >`avg(case when ${t.runs.status} = 'done' then ${t.runs.closedAt} - ${t.runs.createdAt} end)`,
      })
      .from(t.runs)
      .where(and(...where))
      .groupBy(t.runs.chain)
      .orderBy(asc(t.runs.chain))
      .all();
  }

  async openCounts(): Promise<Map<string, number>> {
    const rows = this.orm
      .select({ chain: t.runs.chain, n: sql<number>`count(*)` })
      .from(t.runs)
      .where(inArray(t.runs.status, OPEN))
      .groupBy(t.runs.chain)
      .all();
    return new Map(rows.map((r) => [r.chain, r.n]));
  }

  async restoreTimes(
    chain: string,
    stepKey: string,
    severities: string[],
    from: number | null,
    to: number | null,
  ) {
    const where = [eq(t.runs.chain, chain), inArray(t.runs.severity, severities), eq(t.steps.status, 'done')];
    if (from !== null) where.push(gte(t.steps.completedAt, from));
    if (to !== null) where.push(lt(t.steps.completedAt, to));
    const rows = this.orm
      .select({
        severity: t.runs.severity,
        count: sql<number>`count(*)`,
        avgMs: sql<number>`avg(${t.steps.completedAt} - ${t.runs.createdAt})`,
      })
      .from(t.runs)
      .innerJoin(t.steps, and(eq(t.steps.runId, t.runs.id), eq(t.steps.key, stepKey)))
      .where(and(...where))
      .groupBy(t.runs.severity)
      .all();
    return new Map(rows.map((r) => [r.severity ?? '', { count: r.count, avgMs: r.avgMs }]));
  }

  async runTimers(kind: string): Promise<GdprTimerRow[]> {
    // Run-level timers have no step: the step index narrows the scan to them.
    return this.orm
      .select({
        runId: t.timers.runId,
        title: t.runs.title,
        runStatus: t.runs.status,
        channelId: t.runs.channelId,
        threadTs: t.runs.threadTs,
        rootTs: t.runs.rootTs,
        data: t.timers.data,
        dueAt: t.timers.dueAt,
      })
      .from(t.timers)
      .innerJoin(t.runs, eq(t.runs.id, t.timers.runId))
      .where(and(isNull(t.timers.stepId), eq(t.timers.kind, kind), eq(t.timers.status, 'pending')))
      .orderBy(asc(t.timers.dueAt))
      .all()
      .map((r) => ({ ...r, runStatus: r.runStatus as Run['status'] }));
  }
}

/** The clock queries on the store's own connection (inside its transactions too). */
export function clockQueriesFor(store: Store): ClockQueries {
  if (store instanceof SqliteStore) return new SqliteClockQueries(store.db.orm);
  throw new Error('clock queries need the SQLite store');
}
