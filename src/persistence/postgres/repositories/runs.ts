// RunRepository on PostgreSQL: runs with their steps, optimistic saves, and the step_assignees
// index behind "waiting on me". Run numbers come from an upsert on `sequences`, whose row lock
// hands each number to one transaction only.
import { and, asc, desc, eq, gte, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import * as t from '../../../../drizzle/schema.pg.ts';
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
import type { PgOrm } from '../database.ts';
import {
  columnsOf,
  type PgQueryable,
  param,
  query,
  recordOf,
  recordsParam,
  selectList,
  statement,
} from '../statements.ts';
import { EVENT_COLUMNS, insertEventsSql } from './events.ts';

type RunRow = typeof t.runs.$inferSelect;

/** The columns a save writes: all but the key, the owning run and the version. */
const settable = (table: PgTable) =>
  columnsOf(table).filter(([key]) => key !== 'id' && key !== 'runId' && key !== 'version');
/** A run's save leaves its root message alone (rows.ts, ROOT_MESSAGE_FIELDS). */
const RUN_SET = settable(t.runs).filter(([key]) => !(ROOT_MESSAGE_FIELDS as readonly string[]).includes(key));
const STEP_SET = settable(t.steps);
/** A saved step as the statement reads it: its key, the version it was loaded at, its columns. */
const STEP_RECORD: [string, PgColumn][] = [
  ['id', t.steps.id],
  ['expected', { name: 'expected', getSQLType: () => 'integer' } as PgColumn],
  ...STEP_SET,
];
const ASSIGNEE_COLUMNS = columnsOf(t.stepAssignees);

const STEP_COLUMNS = columnsOf(t.steps);
/**
 * A step row as `json_agg` gives it (column names, JSON values: jsonb as objects, bigint times
 * and counts as numbers) in drizzle's shape.
 */
function stepFromJson(o: Record<string, unknown>): typeof t.steps.$inferSelect {
  const row: Record<string, unknown> = {};
  for (const [key, col] of STEP_COLUMNS) row[key] = o[col.name] ?? null;
  return row as typeof t.steps.$inferSelect;
}

/** The run and its steps in one round trip: the steps come as one JSON array beside the run. */
const GET = statement(
  'runs_get',
  `SELECT ${selectList(t.runs, 'r')},
     (SELECT coalesce(json_agg(s ORDER BY s."idx"), '[]'::json) FROM "steps" AS s WHERE s."run_id" = r."id") AS "__steps"
   FROM "runs" AS r WHERE r."id" = $1`,
);

const NEXT_SEQ = statement(
  'runs_next_seq',
  `INSERT INTO "sequences" ("name", "value") VALUES ($1, 1)
   ON CONFLICT ("name") DO UPDATE SET "value" = "sequences"."value" + 1 RETURNING "value"`,
);

const RUN_COLUMNS = columnsOf(t.runs);
const NEW_STEP_COLUMNS = columnsOf(t.steps).filter(([key]) => key !== 'id');
/**
 * A new run in one statement, one round trip: its row ($1… its columns), its steps (a JSON
 * array, in order) and their assignees (a JSON array naming each step by its index). It returns
 * the steps' ids.
 */
const INSERT = (() => {
  const stepNames = NEW_STEP_COLUMNS.map(([, col]) => `"${col.name}"`).join(', ');
  return statement(
    'runs_insert',
    `WITH r AS (INSERT INTO "runs" (${RUN_COLUMNS.map(([, col]) => `"${col.name}"`).join(', ')})
        VALUES (${RUN_COLUMNS.map(([, col], i) => `$${i + 1}::${col.getSQLType()}`).join(', ')})),
      s AS (INSERT INTO "steps" (${stepNames})
        SELECT ${stepNames} FROM ROWS FROM (jsonb_to_recordset($${RUN_COLUMNS.length + 1}::jsonb) AS (${recordOf(NEW_STEP_COLUMNS)}))
          WITH ORDINALITY AS v ORDER BY v."ordinality"
        RETURNING "id", "idx"),
      a AS (INSERT INTO "step_assignees" ("step_id", "run_id", "principal", "role")
        SELECT s."id", a."run_id", a."principal", a."role"
        FROM jsonb_to_recordset($${RUN_COLUMNS.length + 2}::jsonb) AS a("idx" integer, "run_id" text, "principal" text, "role" text)
        JOIN s ON s."idx" = a."idx" ON CONFLICT DO NOTHING)
    SELECT "id", "idx" FROM s`,
  );
})();

/**
 * A save in one statement, one round trip: the run at its version ($1… its columns, then its
 * id and version), the steps at theirs (a JSON array, and their ids as an array, which lets the
 * planner find them by key), their assignees (rows no longer true deleted, new ones added) and
 * the transition's events (a JSON array, in order). It returns how many runs and which steps it
 * updated; on a conflict the caller's transaction rolls all of it back.
 */
const SAVE = (() => {
  const n = RUN_SET.length;
  const runSet = RUN_SET.map(([, col], i) => `"${col.name}" = $${i + 1}::${col.getSQLType()}`).join(', ');
  const stepSet = STEP_SET.map(([, col]) => `"${col.name}" = v."${col.name}"`).join(', ');
  const assignees = recordOf(ASSIGNEE_COLUMNS);
  const cols = ASSIGNEE_COLUMNS.map(([, col]) => `"${col.name}"`).join(', ');
  return statement(
    'runs_save',
    `WITH r AS (UPDATE "runs" SET ${runSet}, "version" = $${n + 2}::integer + 1
        WHERE "id" = $${n + 1}::text AND "version" = $${n + 2}::integer RETURNING 1),
      s AS (UPDATE "steps" AS s SET ${stepSet}, "version" = s."version" + 1
        FROM jsonb_to_recordset($${n + 3}::jsonb) AS v(${recordOf(STEP_RECORD)})
        WHERE s."id" = ANY($${n + 5}::integer[]) AND s."id" = v."id" AND s."version" = v."expected"
        RETURNING s."id"),
      a AS (SELECT * FROM jsonb_to_recordset($${n + 4}::jsonb) AS a(${assignees})),
      d AS (DELETE FROM "step_assignees" AS x WHERE x."step_id" = ANY($${n + 5}::integer[])
        AND NOT EXISTS (SELECT 1 FROM a WHERE a."step_id" = x."step_id" AND a."principal" = x."principal"
          AND a."role" = x."role")),
      i AS (INSERT INTO "step_assignees" (${cols}) SELECT ${cols} FROM a ON CONFLICT DO NOTHING),
      e AS (${insertEventsSql(`$${n + 6}`)})
    SELECT (SELECT count(*) FROM r)::integer AS "run", (SELECT array_agg("id") FROM s) AS "steps"`,
  );
})();

/**
 * A change to one object of the run's context (see the port), and the events with it, in one
 * statement: the events are appended only when the run was changed.
 */
const PATCH_CONTEXT = statement(
  'runs_patch_context',
  `WITH r AS (UPDATE "runs" SET "context" = "context" || jsonb_build_object($2::text, ("context" -> $2::text) || $3::jsonb),
        "updated_at" = $4::bigint, "version" = "version" + 1
        WHERE "id" = $1::text AND jsonb_typeof("context" -> $2::text) = 'object' RETURNING 1),
      e AS (${insertEventsSql('$5', 'r, ')})
    SELECT (SELECT count(*) FROM r)::integer AS "run"`,
);

export class PgRunRepository implements RunRepository {
  constructor(
    private readonly orm: PgOrm,
    private readonly db: PgQueryable,
  ) {}

  async nextSeq(prefix: string): Promise<number> {
    const res = await query<{ value: number }>(this.db, NEXT_SEQ, [`run:${prefix}`]);
    return res.rows[0]!.value;
  }

  async insert(run: Run): Promise<void> {
    const values = runValues(run) as Record<string, unknown>;
    // Assignees name their step by index: the ids are the INSERT's own.
    const assignees = run.steps.flatMap((s) =>
      assigneeRows(run.id, { ...s, id: s.idx }).map(({ stepId, ...a }) => ({ idx: stepId, ...a })),
    );
    const res = await query<{ id: number; idx: number }>(this.db, INSERT, [
      ...RUN_COLUMNS.map(([key, col]) => param(col, values[key])),
      recordsParam(
        NEW_STEP_COLUMNS,
        run.steps.map((s) => stepValues(run.id, s)),
      ),
      JSON.stringify(
        assignees.map((a) => ({ idx: a.idx, run_id: a.runId, principal: a.principal, role: a.role })),
      ),
    ]);
    const byIdx = new Map(res.rows.map((r) => [r.idx, r.id]));
    for (const s of run.steps) s.id = byIdx.get(s.idx) ?? null;
  }

  /** The run and its steps in one round trip: the steps come as one JSON array beside the run. */
  async get(id: string): Promise<Run | null> {
    const res = await query<RunRow & { __steps: Record<string, unknown>[] }>(this.db, GET, [id]);
    const row = res.rows[0];
    if (!row) return null;
    const { __steps: steps, ...runRow } = row;
    return toRun(
      runRow,
      steps.map((s) => toStep(stepFromJson(s))),
    );
  }

  async channelOf(id: string): Promise<string | null> {
    const [row] = await this.orm.select({ c: t.runs.channelId }).from(t.runs).where(eq(t.runs.id, id));
    return row?.c ?? null;
  }

  async status(id: string): Promise<RunStatus | null> {
    const [row] = await this.orm.select({ status: t.runs.status }).from(t.runs).where(eq(t.runs.id, id));
    return (row?.status as RunStatus | undefined) ?? null;
  }

  /**
   * One statement, one round trip (SAVE): the run at its version, the listed steps each at
   * theirs, their assignees and the transition's events. A conflict throws, and the caller's
   * transaction rolls the rest back.
   */
  async save(
    run: Run,
    stepIdxs: Iterable<number>,
    expectedVersion: number,
    events: RunEvent[] = [],
  ): Promise<void> {
    const values = savedRunValues(run) as Record<string, unknown>;
    const steps = [...new Set(stepIdxs)].flatMap((idx) => {
      const s = run.steps[idx];
      return s && s.id !== null ? [s as Step & { id: number }] : [];
    });
    const stepRows = steps.map((s) => ({
      ...(stepValues(run.id, s) as Record<string, unknown>),
      id: s.id,
      expected: s.version,
    }));
    const res = await query<{ run: number; steps: number[] | null }>(this.db, SAVE, [
      ...RUN_SET.map(([key, col]) => param(col, values[key])),
      run.id,
      expectedVersion,
      recordsParam(STEP_RECORD, stepRows),
      recordsParam(
        ASSIGNEE_COLUMNS,
        steps.flatMap((s) => assigneeRows(run.id, s)),
      ),
      steps.map((s) => s.id),
      recordsParam(EVENT_COLUMNS, events as unknown as Record<string, unknown>[]),
    ]);
    const out = res.rows[0]!;
    if (out.run !== 1) {
      throw new ConflictError('run_changed', `${run.id} changed meanwhile; try again.`, { runId: run.id });
    }
    const done = new Set(out.steps ?? []);
    const stale = steps.find((s) => !done.has(s.id));
    if (stale)
      throw new ConflictError('step_changed', `${stale.title} changed meanwhile; try again.`, {
        runId: run.id,
      });
    run.version = expectedVersion + 1;
    for (const s of steps) s.version += 1;
  }

  async patchContext(
    id: string,
    key: string,
    fields: Record<string, unknown>,
    now: number,
    events: RunEvent[],
  ): Promise<boolean> {
    plainContextKey(key);
    const res = await query<{ run: number }>(this.db, PATCH_CONTEXT, [
      id,
      key,
      JSON.stringify(fields),
      now,
      recordsParam(EVENT_COLUMNS, events as unknown as Record<string, unknown>[]),
    ]);
    return res.rows[0]!.run === 1;
  }

  async setRootMessage(id: string, channelId: string, rootTs: string, threadTs: string): Promise<void> {
    await this.orm.update(t.runs).set({ channelId, rootTs, threadTs }).where(eq(t.runs.id, id));
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
    let q = this.orm
      .select()
      .from(t.runs)
      .where(where.length > 0 ? and(...where) : undefined)
      .orderBy(filter.newestFirst ? desc(t.runs.createdAt) : asc(t.runs.createdAt), asc(t.runs.seq))
      .$dynamic();
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    return this.withSteps(await q);
  }

  private async withSteps(rows: RunRow[]): Promise<Run[]> {
    if (rows.length === 0) return [];
    const byRun = new Map<string, Step[]>();
    for (let i = 0; i < rows.length; i += 5000) {
      const ids = rows.slice(i, i + 5000).map((r) => r.id);
      const steps = await this.orm
        .select()
        .from(t.steps)
        .where(inArray(t.steps.runId, ids))
        .orderBy(asc(t.steps.idx));
      for (const s of steps) {
        const list = byRun.get(s.runId) ?? [];
        list.push(toStep(s));
        byRun.set(s.runId, list);
      }
    }
    return rows.map((r) => toRun(r, byRun.get(r.id) ?? []));
  }

  async waitingOn(principals: string[]): Promise<{ run: Run; step: Step }[]> {
    if (principals.length === 0) return [];
    const stepIds = await this.orm
      .selectDistinct({ stepId: t.stepAssignees.stepId, runId: t.stepAssignees.runId })
      .from(t.stepAssignees)
      .where(inArray(t.stepAssignees.principal, principals));
    if (stepIds.length === 0) return [];
    const runs = await this.withSteps(
      await this.orm
        .select()
        .from(t.runs)
        .where(
          and(
            inArray(t.runs.id, [...new Set(stepIds.map((s) => s.runId))]),
            notInArray(t.runs.status, [...CLOSED_RUN_STATUSES]),
          ),
        )
        .orderBy(asc(t.runs.createdAt)),
    );
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
    const [row] = await this.orm.select({ n: sql<number>`count(*)::int` }).from(t.runs);
    return row?.n ?? 0;
  }
}
