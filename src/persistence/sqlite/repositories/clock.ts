// ClockRepository on SQLite: batch timer claims in one statement, and what fired timers and
// digests need of the timers, chunked so a tick stays fast over 100k runs.
import { and, asc, eq, inArray, isNull, lt, lte, notInArray, or, sql } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { Run, Step } from '../../../domain/types.ts';
import type { ClockRepository, GdprTimerRow, TimerRow, TimerRunView } from '../../ports.ts';
import { toTimer } from '../../rows.ts';
import type { Orm } from '../database.ts';
import { OPEN, RUN_HEAD } from './columns.ts';

const CHUNK = 500;
function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

export class SqliteClockRepository implements ClockRepository {
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
          // `+status`: by their steps (timers_step), never by walking every timer ever fired.
          and(
            inArray(t.timers.stepId, ids),
            sql`+${t.timers.status} = 'fired'`,
            inArray(t.timers.kind, kinds),
          ),
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
