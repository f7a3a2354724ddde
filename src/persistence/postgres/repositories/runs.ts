// RunRepository on PostgreSQL: runs with their steps, optimistic saves, and the step_assignees
// index behind "waiting on me". Run numbers come from an upsert on `sequences`, whose row lock
// hands each number to one transaction only.
import { and, asc, desc, eq, gte, inArray, lt, notInArray, sql } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.pg.ts';
import { CLOSED_RUN_STATUSES, type Run, type RunStatus, type Step } from '../../../domain/types.ts';
import { ConflictError } from '../../../errors.ts';
import type { RunFilter, RunRepository } from '../../ports.ts';
import { assigneeRows, runValues, stepValues, toRun, toStep } from '../../rows.ts';
import type { PgOrm } from '../database.ts';

type RunRow = typeof t.runs.$inferSelect;

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

  async get(id: string): Promise<Run | null> {
    const [raw] = await this.orm.select().from(t.runs).where(eq(t.runs.id, id));
    if (!raw) return null;
    const steps = await this.orm
      .select()
      .from(t.steps)
      .where(eq(t.steps.runId, id))
      .orderBy(asc(t.steps.idx));
    return toRun(raw, steps.map(toStep));
  }

  async status(id: string): Promise<RunStatus | null> {
    const [row] = await this.orm.select({ status: t.runs.status }).from(t.runs).where(eq(t.runs.id, id));
    return (row?.status as RunStatus | undefined) ?? null;
  }

  async save(run: Run, stepIdxs: Iterable<number>, expectedVersion: number): Promise<void> {
    const { version: _v, id: _id, ...values } = runValues(run);
    const res = await this.orm
      .update(t.runs)
      .set({ ...values, version: expectedVersion + 1 })
      .where(and(eq(t.runs.id, run.id), eq(t.runs.version, expectedVersion)));
    if (res.rowCount !== 1) {
      throw new ConflictError('run_changed', `${run.id} changed meanwhile; try again.`, { runId: run.id });
    }
    run.version = expectedVersion + 1;
    const assignees: ReturnType<typeof assigneeRows> = [];
    const saved: number[] = [];
    for (const idx of stepIdxs) {
      const s = run.steps[idx];
      if (!s || s.id === null) continue;
      const { version: _sv, runId: _r, ...stepCols } = stepValues(run.id, s);
      const upd = await this.orm
        .update(t.steps)
        .set({ ...stepCols, version: s.version + 1 })
        .where(and(eq(t.steps.id, s.id), eq(t.steps.version, s.version)));
      if (upd.rowCount !== 1)
        throw new ConflictError('step_changed', `${s.title} changed meanwhile; try again.`, {
          runId: run.id,
        });
      s.version += 1;
      saved.push(s.id);
      assignees.push(...assigneeRows(run.id, s));
    }
    if (saved.length > 0)
      await this.orm.delete(t.stepAssignees).where(inArray(t.stepAssignees.stepId, saved));
    await this.writeAssignees(assignees);
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
