// ClockRepository on PostgreSQL: batch timer claims (FOR UPDATE SKIP LOCKED: replicas ticking
// together each take different timers, none waits on another), and what fired timers need.
import { and, asc, eq, getTableColumns, inArray, isNull, lt, lte, notInArray, or, sql } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.pg.ts';
import type { Run, Step } from '../../../domain/types.ts';
import type { ClockRepository, GdprTimerRow, TimerRow, TimerRunView } from '../../ports.ts';
import { toTimer } from '../../rows.ts';
import type { PgOrm } from '../database.ts';
import { OPEN, RUN_HEAD } from './columns.ts';

export class PgClockRepository implements ClockRepository {
  constructor(private readonly orm: PgOrm) {}

  async claimDueTimers(now: number, limit: number, worker: string): Promise<TimerRow[]> {
    // Lock due rows no one else has locked (a locked row is read again once its lock is taken, so one
    // fired meanwhile is skipped), and flip them in the same statement.
    const picked = this.orm
      .select({ id: t.timers.id })
      .from(t.timers)
      .where(and(eq(t.timers.status, 'pending'), lte(t.timers.dueAt, now)))
      .orderBy(asc(t.timers.dueAt), asc(t.timers.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    // A CTE, not `id IN (…)`: PostgreSQL may run an IN subquery again per row, past its LIMIT.
    const cte = this.orm.$with('picked').as(picked);
    const rows = await this.orm
      .with(cte)
      .update(t.timers)
      .set({ status: 'fired', claimedBy: worker, firedAt: now })
      .from(cte)
      .where(eq(t.timers.id, cte.id))
      .returning(getTableColumns(t.timers));
    return rows.map(toTimer).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
  }

  async firedCount(stepIds: number[], kinds: string[], excludeIds: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    if (stepIds.length === 0) return out;
    const excluded = new Set(excludeIds);
    const rows = await this.orm
      .select({ id: t.timers.id, stepId: t.timers.stepId })
      .from(t.timers)
      .where(
        and(
          inArray(t.timers.stepId, [...new Set(stepIds)]),
          eq(t.timers.status, 'fired'),
          inArray(t.timers.kind, kinds),
        ),
      );
    for (const r of rows) {
      if (r.stepId === null || excluded.has(r.id)) continue;
      out.set(r.stepId, (out.get(r.stepId) ?? 0) + 1);
    }
    return out;
  }

  async timerRuns(runIds: string[]): Promise<Map<string, TimerRunView>> {
    const out = new Map<string, TimerRunView>();
    const ids = [...new Set(runIds)];
    if (ids.length === 0) return out;
    const runs = await this.orm
      .select({ ...RUN_HEAD, context: t.runs.context, requester: t.runs.requester })
      .from(t.runs)
      .where(inArray(t.runs.id, ids));
    for (const r of runs) {
      out.set(r.id, {
        run: { ...r, status: r.status as Run['status'], severity: r.severity as Run['severity'] },
        steps: new Map(),
      });
    }
    const steps = await this.orm
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
      .where(and(inArray(t.steps.runId, ids), inArray(t.steps.status, OPEN)));
    for (const s of steps) {
      const { runId, ...step } = s;
      out.get(runId)?.steps.set(s.id, { ...step, status: s.status as Step['status'] });
    }
    return out;
  }

  async pushPending(stepId: number, kinds: string[], dueAt: number): Promise<number> {
    const res = await this.orm
      .update(t.timers)
      .set({ dueAt })
      .where(
        and(
          eq(t.timers.stepId, stepId),
          eq(t.timers.status, 'pending'),
          inArray(t.timers.kind, kinds),
          lt(t.timers.dueAt, dueAt),
        ),
      );
    return res.rowCount ?? 0;
  }

  async pendingForStep(stepId: number): Promise<TimerRow[]> {
    const rows = await this.orm
      .select()
      .from(t.timers)
      .where(and(eq(t.timers.stepId, stepId), eq(t.timers.status, 'pending')))
      .orderBy(asc(t.timers.dueAt), asc(t.timers.id));
    return rows.map(toTimer);
  }

  async stepsPastTimers(kinds: string[], ackKinds: string[], now: number): Promise<Map<number, number>> {
    const rows = await this.orm
      .select({ stepId: t.timers.stepId, at: sql<number>`min(${t.timers.dueAt})` })
      .from(t.timers)
      .innerJoin(t.steps, eq(t.steps.id, t.timers.stepId))
      .where(
        and(
          inArray(t.steps.status, OPEN),
          inArray(t.timers.kind, kinds),
          notInArray(t.timers.status, ['cancelled']),
          lte(t.timers.dueAt, now),
          ackKinds.length > 0
            ? or(notInArray(t.timers.kind, ackKinds), isNull(t.steps.acknowledgedAt))
            : undefined,
        ),
      )
      .groupBy(t.timers.stepId);
    return new Map(rows.filter((r) => r.stepId !== null).map((r) => [r.stepId!, Number(r.at)]));
  }

  async runTimers(kind: string): Promise<GdprTimerRow[]> {
    const rows = await this.orm
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
      .orderBy(asc(t.timers.dueAt));
    return rows.map((r) => ({ ...r, runStatus: r.runStatus as Run['status'] }));
  }
}
