// RunRepository on PostgreSQL: runs with their steps, optimistic saves, and the step_assignees
// index behind "waiting on me". Run numbers come from an upsert on `sequences`, whose row lock
// hands each number to one transaction only.
import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  gte,
  inArray,
  lt,
  notInArray,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import * as t from '../../../../drizzle/schema.pg.ts';
import { CLOSED_RUN_STATUSES, type Run, type RunStatus, type Step } from '../../../domain/types.ts';
import { ConflictError } from '../../../errors.ts';
import type { RunFilter, RunRepository } from '../../ports.ts';
import {
  assigneeRows,
  ROOT_MESSAGE_FIELDS,
  runValues,
  savedRunValues,
  stepValues,
  toRun,
  toStep,
} from '../../rows.ts';
import type { PgOrm } from '../database.ts';

type RunRow = typeof t.runs.$inferSelect;

/** A value bound as its column stores it, cast to the column's type (a VALUES list needs it). */
function bound(col: PgColumn, v: unknown): SQL {
  return sql`${v === null || v === undefined ? null : col.mapToDriverValue(v)}::${sql.raw(col.getSQLType())}`;
}

/** The columns a save writes: all but the key, the owning run and the version. */
const settable = (table: PgTable) =>
  (Object.entries(getTableColumns(table)) as [string, PgColumn][]).filter(
    ([key]) => key !== 'id' && key !== 'runId' && key !== 'version',
  );
/** A run's save leaves its root message alone (rows.ts, ROOT_MESSAGE_FIELDS). */
const RUN_SET = settable(t.runs).filter(([key]) => !(ROOT_MESSAGE_FIELDS as readonly string[]).includes(key));
const STEP_SET = settable(t.steps);

const STEP_COLUMNS = Object.entries(getTableColumns(t.steps)) as [string, PgColumn][];
/**
 * A step row as `json_agg` gives it (column names, JSON values: jsonb as objects, bigint times
 * and counts as numbers) in drizzle's shape.
 */
function stepFromJson(o: Record<string, unknown>): typeof t.steps.$inferSelect {
  const row: Record<string, unknown> = {};
  for (const [key, col] of STEP_COLUMNS) row[key] = o[col.name] ?? null;
  return row as typeof t.steps.$inferSelect;
}

export class PgRunRepository implements RunRepository {
  constructor(private readonly orm: PgOrm) {}

  async nextSeq(prefix: string): Promise<number> {
    const [row] = await this.orm
      .insert(t.sequences)
      .values({ name: `run:${prefix}`, value: 1 })
      .onConflictDoUpdate({ target: t.sequences.name, set: { value: sql`${t.sequences.value} + 1` } })
      .returning({ value: t.sequences.value });
    return row!.value;
  }

  async insert(run: Run): Promise<void> {
    await this.orm.insert(t.runs).values(runValues(run));
    if (run.steps.length === 0) return;
    const ids = await this.orm
      .insert(t.steps)
      .values(run.steps.map((s) => stepValues(run.id, s)))
      .returning({ id: t.steps.id, idx: t.steps.idx });
    const byIdx = new Map(ids.map((r) => [r.idx, r.id]));
    for (const s of run.steps) s.id = byIdx.get(s.idx) ?? null;
    await this.writeAssignees(run.steps.flatMap((s) => assigneeRows(run.id, s)));
  }

  private async writeAssignees(rows: ReturnType<typeof assigneeRows>) {
    if (rows.length === 0) return;
    await this.orm.insert(t.stepAssignees).values(rows).onConflictDoNothing();
  }

  /** The run and its steps in one round trip: the steps come as one JSON array beside the run. */
  async get(id: string): Promise<Run | null> {
    const [row] = await this.orm
      .select({
        run: t.runs,
        steps: sql<Record<string, unknown>[]>`(SELECT coalesce(json_agg(s ORDER BY s."idx"), '[]'::json)
          FROM "steps" AS s WHERE s."run_id" = "runs"."id")`,
      })
      .from(t.runs)
      .where(eq(t.runs.id, id));
    if (!row) return null;
    return toRun(
      row.run,
      row.steps.map((s) => toStep(stepFromJson(s))),
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
   * One statement, one round trip: the run at its version, the listed steps each at theirs, and
   * their assignees (rows no longer true deleted, new ones added). A conflict throws, and the
   * caller's transaction rolls the rest back.
   */
  async save(run: Run, stepIdxs: Iterable<number>, expectedVersion: number): Promise<void> {
    const values = savedRunValues(run);
    const steps = [...new Set(stepIdxs)].flatMap((idx) => {
      const s = run.steps[idx];
      return s && s.id !== null ? [s as Step & { id: number }] : [];
    });
    const runSet = sql.join(
      [
        ...RUN_SET.map(
          ([key, col]) =>
            sql`${sql.identifier(col.name)} = ${bound(col, values[key as keyof typeof values])}`,
        ),
        sql`"version" = ${expectedVersion + 1}`,
      ],
      sql`, `,
    );
    const parts = [
      sql`r AS (UPDATE "runs" SET ${runSet} WHERE "id" = ${run.id} AND "version" = ${expectedVersion} RETURNING 1)`,
    ];
    if (steps.length > 0) {
      const rows = steps.map((s) => {
        const cols = stepValues(run.id, s) as Record<string, unknown>;
        return sql`(${sql.join(
          [
            sql`${s.id}::integer`,
            sql`${s.version}::integer`,
            ...STEP_SET.map(([key, col]) => bound(col, cols[key])),
          ],
          sql`, `,
        )})`;
      });
      const names = sql.raw(['id', 'expected', ...STEP_SET.map(([, col]) => `"${col.name}"`)].join(', '));
      const stepSet = sql.raw(
        [...STEP_SET.map(([, col]) => `"${col.name}" = v."${col.name}"`), '"version" = s."version" + 1'].join(
          ', ',
        ),
      );
      parts.push(
        sql`s AS (UPDATE "steps" AS s SET ${stepSet} FROM (VALUES ${sql.join(rows, sql`, `)}) AS v(${names})
          WHERE s."id" = v.id AND s."version" = v.expected RETURNING s."id")`,
      );
      const ids = sql.join(
        steps.map((s) => sql`${s.id}`),
        sql`, `,
      );
      const assignees = steps.flatMap((s) => assigneeRows(run.id, s));
      const tuples = assignees.map((a) => sql`(${a.stepId}::integer, ${a.principal}::text, ${a.role}::text)`);
      parts.push(
        assignees.length === 0
          ? sql`d AS (DELETE FROM "step_assignees" WHERE "step_id" IN (${ids}))`
          : sql`d AS (DELETE FROM "step_assignees" WHERE "step_id" IN (${ids})
              AND ("step_id", "principal", "role") NOT IN (VALUES ${sql.join(tuples, sql`, `)}))`,
      );
      if (assignees.length > 0) {
        const inserted = assignees.map((a) => sql`(${a.stepId}, ${a.runId}, ${a.principal}, ${a.role})`);
        parts.push(
          sql`i AS (INSERT INTO "step_assignees" ("step_id", "run_id", "principal", "role")
            VALUES ${sql.join(inserted, sql`, `)} ON CONFLICT DO NOTHING)`,
        );
      }
    }
    const saved = steps.length > 0 ? sql`(SELECT array_agg("id") FROM s)` : sql`NULL::integer[]`;
    const res = await this.orm.execute<{ run: number; steps: number[] | null }>(
      sql`WITH ${sql.join(parts, sql`, `)} SELECT (SELECT count(*) FROM r)::integer AS "run", ${saved} AS "steps"`,
    );
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

  async setRootMessage(id: string, channelId: string, rootTs: string, threadTs: string): Promise<void> {
    await this.orm.update(t.runs).set({ channelId, rootTs, threadTs }).where(eq(t.runs.id, id));
  }

  async list(filter: RunFilter = {}): Promise<Run[]> {
    const where = [];
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
