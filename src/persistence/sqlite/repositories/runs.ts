// RunRepository on SQLite: runs with their steps, optimistic saves, and the step_assignees
// index behind "waiting on me".
import { and, asc, desc, eq, gte, inArray, lt, notInArray, sql } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import {
  CLOSED_RUN_STATUSES,
  type Run,
  type RunEvent,
  type RunStatus,
  type Step,
} from '../../../domain/types.ts';
import { ConflictError } from '../../../errors.ts';
import type { RunFilter, RunRepository } from '../../ports.ts';
import {
  assigneeRows,
  plainContextKey,
  ROOT_MESSAGE_FIELDS,
  runValues,
  savedRunValues,
  stepValues,
  toRun,
  toStep,
} from '../../rows.ts';
import type { Orm } from '../database.ts';
import { statements, TableCodec } from '../table-codec.ts';
import { appendEvents } from './events.ts';

const runCodec = new TableCodec<typeof t.runs.$inferSelect>(t.runs);
const stepCodec = new TableCodec<typeof t.steps.$inferSelect>(t.steps);

/** A run row as one JSON array, and its steps as one JSON array of them (unordered). */
const RUN_JSON = runCodec.jsonArraySql('"runs"');
const STEPS_JSON = `(SELECT json_group_array(${stepCodec.jsonArraySql('s')}) FROM "steps" AS s WHERE s."run_id" = "runs"."id")`;

/** A run read as `RUN_JSON` and `STEPS_JSON`, its steps in order. */
function runFromJson(row: { run: string; steps: string }): Run {
  const steps = (JSON.parse(row.steps) as unknown[][])
    .map((values) => toStep(stepCodec.decodeArray(values)))
    .sort((a, b) => a.idx - b.idx);
  return toRun(runCodec.decodeArray(JSON.parse(row.run) as unknown[]), steps);
}

const SQL = {
  nextSeq: `INSERT INTO "sequences" ("name", "value") VALUES (?, 1) ON CONFLICT ("name") DO UPDATE SET "value" = "value" + 1 RETURNING "value"`,
  /** The run and its steps, as two JSON texts (see TableCodec.decodeArray). */
  runWithSteps: `SELECT ${RUN_JSON} AS "run", ${STEPS_JSON} AS "steps" FROM "runs" WHERE "runs"."id" = ?`,
  statusOfRun: 'SELECT "status" FROM "runs" WHERE "id" = ?',
  channelOfRun: 'SELECT "channel_id" AS "c" FROM "runs" WHERE "id" = ?',
  updateRun: runCodec
    .updateSql(['id', 'version', ...ROOT_MESSAGE_FIELDS], '"id" = @id AND "version" = @expectedVersion')
    .replace(' WHERE', ', "version" = @expectedVersion + 1 WHERE'),
  updateStep: stepCodec
    .updateSql(['id', 'runId', 'version'], '"id" = @id AND "version" = @expectedVersion')
    .replace(' WHERE', ', "version" = @expectedVersion + 1 WHERE'),
  insertRun: runCodec.insertSql(),
  insertStep: stepCodec.insertSql(),
  deleteAssignees: 'DELETE FROM "step_assignees" WHERE "step_id" = ?',
  /** A change to one object of the run's context (see the port): `@fields` merged into it. */
  patchContext: `UPDATE "runs" SET "context" = json_patch("context", json_object(@key, json(@fields))),
    "updated_at" = @now, "version" = "version" + 1
    WHERE "id" = @id AND json_type("context", '$."' || @key || '"') = 'object'`,
  insertAssignee:
    'INSERT OR IGNORE INTO "step_assignees" ("step_id", "run_id", "principal", "role") VALUES (?, ?, ?, ?)',
};

export class SqliteRunRepository implements RunRepository {
  constructor(private readonly orm: Orm) {}

  async nextSeq(prefix: string): Promise<number> {
    return (statements(this.orm).get(SQL.nextSeq).get(`run:${prefix}`) as { value: number }).value;
  }

  async insert(run: Run): Promise<void> {
    const st = statements(this.orm);
    st.get(SQL.insertRun).run(runCodec.encode(runValues(run)));
    const insertStep = st.get(SQL.insertStep);
    for (const s of run.steps) {
      s.id = Number(insertStep.run(stepCodec.encode(stepValues(run.id, s))).lastInsertRowid);
      this.writeAssignees(run.id, s);
    }
  }

  private writeAssignees(runId: string, s: Step) {
    const st = statements(this.orm);
    const insert = st.get(SQL.insertAssignee);
    for (const r of assigneeRows(runId, s)) insert.run(r.stepId, r.runId, r.principal, r.role);
  }

  async get(id: string): Promise<Run | null> {
    const st = statements(this.orm);
    const raw = st.get(SQL.runWithSteps).get(id) as { run: string; steps: string } | undefined;
    return raw ? runFromJson(raw) : null;
  }

  async status(id: string): Promise<RunStatus | null> {
    const row = statements(this.orm).get(SQL.statusOfRun).get(id) as { status: RunStatus } | undefined;
    return row?.status ?? null;
  }

  async channelOf(id: string): Promise<string | null> {
    const row = statements(this.orm).get(SQL.channelOfRun).get(id) as { c: string | null } | undefined;
    return row?.c ?? null;
  }

  async save(
    run: Run,
    stepIdxs: Iterable<number>,
    expectedVersion: number,
    events: RunEvent[] = [],
  ): Promise<void> {
    const st = statements(this.orm);
    const values = savedRunValues(run);
    const res = st.get(SQL.updateRun).run({ ...runCodec.encode(values), expectedVersion });
    if (res.changes !== 1) {
      throw new ConflictError('run_changed', `${run.id} changed meanwhile; try again.`, { runId: run.id });
    }
    run.version = expectedVersion + 1;
    for (const idx of stepIdxs) {
      const s = run.steps[idx];
      if (!s || s.id === null) continue;
      const { version: _sv, runId: _r, ...stepCols } = stepValues(run.id, s);
      const upd = st
        .get(SQL.updateStep)
        .run({ ...stepCodec.encode(stepCols), id: s.id, expectedVersion: s.version });
      if (upd.changes !== 1)
        throw new ConflictError('step_changed', `${s.title} changed meanwhile; try again.`, {
          runId: run.id,
        });
      s.version += 1;
      st.get(SQL.deleteAssignees).run(s.id);
      this.writeAssignees(run.id, s);
    }
    appendEvents(this.orm, events);
  }

  async patchContext(
    id: string,
    key: string,
    fields: Record<string, unknown>,
    now: number,
    events: RunEvent[],
  ): Promise<boolean> {
    plainContextKey(key);
    const changed = statements(this.orm)
      .get(SQL.patchContext)
      .run({ id, key, fields: JSON.stringify(fields), now }).changes;
    if (changed !== 1) return false;
    appendEvents(this.orm, events);
    return true;
  }

  async setRootMessage(id: string, channelId: string, rootTs: string, threadTs: string): Promise<void> {
    this.orm.update(t.runs).set({ channelId, rootTs, threadTs }).where(eq(t.runs.id, id)).run();
  }

  async list(filter: RunFilter = {}): Promise<Run[]> {
    if (filter.ids?.length === 0) return [];
    const where = [];
    if (filter.ids) where.push(inArray(t.runs.id, filter.ids));
    if (filter.status) where.push(inArray(t.runs.status, filter.status));
    if (filter.open === true) where.push(notInArray(t.runs.status, [...CLOSED_RUN_STATUSES]));
    if (filter.open === false) where.push(inArray(t.runs.status, [...CLOSED_RUN_STATUSES]));
    if (filter.channelId) where.push(eq(t.runs.channelId, filter.channelId));
    if (filter.chain) where.push(eq(t.runs.chain, filter.chain));
    if (filter.source) where.push(eq(t.runs.source, filter.source));
    if (filter.closedFrom !== undefined) where.push(gte(t.runs.closedAt, filter.closedFrom));
    if (filter.closedTo !== undefined) where.push(lt(t.runs.closedAt, filter.closedTo));
    if (filter.createdFrom !== undefined) where.push(gte(t.runs.createdAt, filter.createdFrom));
    let q = this.withSteps()
      .where(where.length > 0 ? and(...where) : undefined)
      .orderBy(filter.newestFirst ? desc(t.runs.createdAt) : asc(t.runs.createdAt), asc(t.runs.seq))
      .$dynamic();
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    return q.all().map(runFromJson);
  }

  /** Runs with their steps, one row each (`runFromJson` reads it). */
  private withSteps() {
    return this.orm
      .select({ run: sql<string>`${sql.raw(RUN_JSON)}`, steps: sql<string>`${sql.raw(STEPS_JSON)}` })
      .from(t.runs);
  }

  async waitingOn(principals: string[]): Promise<{ run: Run; step: Step }[]> {
    if (principals.length === 0) return [];
    const stepIds = this.orm
      .selectDistinct({ stepId: t.stepAssignees.stepId, runId: t.stepAssignees.runId })
      .from(t.stepAssignees)
      .where(inArray(t.stepAssignees.principal, principals))
      .all();
    if (stepIds.length === 0) return [];
    const runs = this.withSteps()
      .where(
        and(
          inArray(t.runs.id, [...new Set(stepIds.map((s) => s.runId))]),
          notInArray(t.runs.status, [...CLOSED_RUN_STATUSES]),
        ),
      )
      .orderBy(asc(t.runs.createdAt))
      .all()
      .map(runFromJson);
    const wanted = new Set(stepIds.map((s) => s.stepId));
    const out: { run: Run; step: Step }[] = [];
    for (const run of runs) {
      for (const step of run.steps) {
        if (
          step.id !== null &&
          wanted.has(step.id) &&
          (step.status === 'active' || step.status === 'blocked')
        ) {
          out.push({ run, step });
        }
      }
    }
    return out;
  }

  async count(): Promise<number> {
    return this.orm.select({ n: sql<number>`count(*)` }).from(t.runs).get()?.n ?? 0;
  }
}
