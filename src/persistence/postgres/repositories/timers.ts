// TimerRepository on PostgreSQL: durable deadlines, fired by one compare-and-set each.
import { and, asc, eq, inArray, lte, notInArray } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.pg.ts';
import type { NewTimer, TimerRepository, TimerRow } from '../../ports.ts';
import { toTimer } from '../../rows.ts';
import type { PgOrm } from '../database.ts';
import { type PgQueryable, query, statement } from '../statements.ts';

const CANCEL_FOR_STEPS = statement(
  'timers_cancel_for_steps',
  `UPDATE "timers" SET "status" = 'cancelled'
   WHERE "step_id" = ANY($1::integer[]) AND "status" = 'pending' AND ($2::text[] IS NULL OR "kind" = ANY($2::text[]))`,
);
const LATEST_DUE = statement(
  'timers_latest_due',
  `SELECT "step_id" AS "stepId", max("due_at") AS "dueAt" FROM "timers"
   WHERE "step_id" = ANY($1::integer[]) AND "kind" = $2 AND "status" <> 'cancelled' GROUP BY "step_id"`,
);

export class PgTimerRepository implements TimerRepository {
  constructor(
    private readonly orm: PgOrm,
    private readonly db: PgQueryable,
  ) {}

  async schedule(items: NewTimer[], now: number): Promise<void> {
    if (items.length === 0) return;
    await this.orm.insert(t.timers).values(
      items.map((i) => ({
        runId: i.runId,
        stepId: i.stepId,
        kind: i.kind,
        dueAt: i.dueAt,
        data: i.data ?? {},
        status: 'pending',
        createdAt: now,
      })),
    );
  }

  async due(now: number, limit: number): Promise<TimerRow[]> {
    const rows = await this.orm
      .select()
      .from(t.timers)
      .where(and(eq(t.timers.status, 'pending'), lte(t.timers.dueAt, now)))
      .orderBy(asc(t.timers.dueAt), asc(t.timers.id))
      .limit(limit);
    return rows.map(toTimer);
  }

  async claim(id: number, worker: string, now: number): Promise<boolean> {
    const res = await this.orm
      .update(t.timers)
      .set({ status: 'fired', claimedBy: worker, firedAt: now })
      .where(and(eq(t.timers.id, id), eq(t.timers.status, 'pending')));
    return res.rowCount === 1;
  }

  private async cancel(where: ReturnType<typeof and>): Promise<number> {
    const res = await this.orm.update(t.timers).set({ status: 'cancelled' }).where(where);
    return res.rowCount ?? 0;
  }

  async cancelForSteps(stepIds: number[], kinds?: string[]): Promise<number> {
    if (stepIds.length === 0) return 0;
    const res = await query(this.db, CANCEL_FOR_STEPS, [stepIds, kinds ?? null]);
    return res.rowCount ?? 0;
  }

  cancelForRun(runId: string, exceptKinds: string[] = []): Promise<number> {
    return this.cancel(
      and(
        eq(t.timers.runId, runId),
        eq(t.timers.status, 'pending'),
        exceptKinds.length > 0 ? notInArray(t.timers.kind, exceptKinds) : undefined,
      ),
    );
  }

  cancelKinds(runId: string, kinds: string[]): Promise<number> {
    return this.cancel(
      and(eq(t.timers.runId, runId), eq(t.timers.status, 'pending'), inArray(t.timers.kind, kinds)),
    );
  }

  async forRun(runId: string): Promise<TimerRow[]> {
    const rows = await this.orm
      .select()
      .from(t.timers)
      .where(eq(t.timers.runId, runId))
      .orderBy(asc(t.timers.id));
    return rows.map(toTimer);
  }

  async latestDue(stepIds: number[], kind: string): Promise<Map<number, number>> {
    if (stepIds.length === 0) return new Map();
    const res = await query<{ stepId: number; dueAt: number }>(this.db, LATEST_DUE, [stepIds, kind]);
    return new Map(res.rows.map((r) => [r.stepId, Number(r.dueAt)]));
  }

  async pendingForRuns(runIds: string[]): Promise<TimerRow[]> {
    if (runIds.length === 0) return [];
    const rows = await this.orm
      .select()
      .from(t.timers)
      .where(and(inArray(t.timers.runId, runIds), eq(t.timers.status, 'pending')));
    return rows.map(toTimer);
  }
}
