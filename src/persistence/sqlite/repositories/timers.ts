// TimerRepository on SQLite: durable deadlines, fired by one compare-and-set each.
import { and, asc, eq, inArray, lte, notInArray } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { NewTimer, TimerRepository, TimerRow } from '../../ports.ts';
import { toTimer } from '../../rows.ts';
import type { Orm } from '../database.ts';
import { statements, TableCodec } from '../table-codec.ts';

const timerCodec = new TableCodec<typeof t.timers.$inferSelect>(t.timers);

const SQL = {
  insertTimer: timerCodec.insertSql(['runId', 'stepId', 'kind', 'dueAt', 'data', 'status', 'createdAt']),
  // `@steps` is a JSON array of step ids.
  latestDue: `SELECT "step_id" AS "stepId", MAX("due_at") AS "dueAt" FROM "timers"
    WHERE "step_id" IN (SELECT "value" FROM json_each(@steps)) AND "kind" = @kind AND "status" != 'cancelled'
    GROUP BY "step_id"`,
  timersOfRun: 'SELECT * FROM "timers" WHERE "run_id" = ? ORDER BY "id"',
  // `?` is a JSON array of step ids. `+"status"`: found by their steps (timers_step), never by
  // scanning every pending timer of every run (timers_due), which SQLite would otherwise pick.
  cancelStepTimers: `UPDATE "timers" SET "status" = 'cancelled'
    WHERE "step_id" IN (SELECT "value" FROM json_each(?)) AND +"status" = 'pending'`,
  // The same, of some kinds only (`@kinds`, a JSON array).
  cancelStepTimersOfKinds: `UPDATE "timers" SET "status" = 'cancelled'
    WHERE "step_id" IN (SELECT "value" FROM json_each(@steps)) AND +"status" = 'pending'
      AND "kind" IN (SELECT "value" FROM json_each(@kinds))`,
  // `?` is a JSON array of run ids; by their runs (timers_run), as above.
  pendingOfRuns: `SELECT * FROM "timers" WHERE "run_id" IN (SELECT "value" FROM json_each(?))
    AND +"status" = 'pending' ORDER BY "id"`,
};

export class SqliteTimerRepository implements TimerRepository {
  constructor(private readonly orm: Orm) {}

  async schedule(items: NewTimer[], now: number): Promise<void> {
    // Every run start schedules a handful: one prepared statement, not a query built per call.
    const insert = statements(this.orm).get(SQL.insertTimer);
    for (const i of items) {
      insert.run(
        timerCodec.encode({
          runId: i.runId,
          stepId: i.stepId,
          kind: i.kind,
          dueAt: i.dueAt,
          data: i.data ?? {},
          status: 'pending',
          createdAt: now,
        }),
      );
    }
  }

  async due(now: number, limit: number): Promise<TimerRow[]> {
    return this.orm
      .select()
      .from(t.timers)
      .where(and(eq(t.timers.status, 'pending'), lte(t.timers.dueAt, now)))
      .orderBy(asc(t.timers.dueAt), asc(t.timers.id))
      .limit(limit)
      .all()
      .map(toTimer);
  }

  async claim(id: number, worker: string, now: number): Promise<boolean> {
    const res = this.orm
      .update(t.timers)
      .set({ status: 'fired', claimedBy: worker, firedAt: now })
      .where(and(eq(t.timers.id, id), eq(t.timers.status, 'pending')))
      .run();
    return res.changes === 1;
  }

  async cancelForSteps(stepIds: number[], kinds?: string[]): Promise<number> {
    if (stepIds.length === 0) return 0;
    const st = statements(this.orm);
    if (!kinds) return st.get(SQL.cancelStepTimers).run(JSON.stringify(stepIds)).changes;
    return st
      .get(SQL.cancelStepTimersOfKinds)
      .run({ steps: JSON.stringify(stepIds), kinds: JSON.stringify(kinds) }).changes;
  }

  async cancelForRun(runId: string, exceptKinds: string[] = []): Promise<number> {
    const where = [eq(t.timers.runId, runId), eq(t.timers.status, 'pending')];
    if (exceptKinds.length > 0) where.push(notInArray(t.timers.kind, exceptKinds));
    return this.orm
      .update(t.timers)
      .set({ status: 'cancelled' })
      .where(and(...where))
      .run().changes;
  }

  async cancelKinds(runId: string, kinds: string[]): Promise<number> {
    return this.orm
      .update(t.timers)
      .set({ status: 'cancelled' })
      .where(and(eq(t.timers.runId, runId), eq(t.timers.status, 'pending'), inArray(t.timers.kind, kinds)))
      .run().changes;
  }

  async forRun(runId: string): Promise<TimerRow[]> {
    const rows = statements(this.orm).get(SQL.timersOfRun).all(runId) as Record<string, unknown>[];
    return rows.map((r) => toTimer(timerCodec.decode(r)));
  }

  async latestDue(stepIds: number[], kind: string): Promise<Map<number, number>> {
    if (stepIds.length === 0) return new Map();
    const rows = statements(this.orm)
      .get(SQL.latestDue)
      .all({ steps: JSON.stringify(stepIds), kind }) as { stepId: number; dueAt: number }[];
    return new Map(rows.map((r) => [r.stepId, r.dueAt]));
  }

  async pendingForRuns(runIds: string[]): Promise<TimerRow[]> {
    if (runIds.length === 0) return [];
    const rows = statements(this.orm).get(SQL.pendingOfRuns).all(JSON.stringify(runIds)) as Record<
      string,
      unknown
    >[];
    return rows.map((r) => toTimer(timerCodec.decode(r)));
  }
}
