// The repositories of the port (ports.ts), implemented on SQLite with drizzle.
import {
  and,
  asc,
  desc,
  eq,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  notInArray,
  or,
  sql,
} from 'drizzle-orm';
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core';
import * as t from '../../../drizzle/schema.ts';
import type { Delivery, DeliveryProblem, Notice } from '../../domain/notices.ts';
import { CLOSED_RUN_STATUSES, type Run, type RunEvent, type Step } from '../../domain/types.ts';
import { ConflictError } from '../../errors.ts';
import {
  type CorrectionRepository,
  type DigestRepository,
  type EventRepository,
  type IdempotencyRepository,
  type NewTimer,
  NO_CHANNEL,
  type OutboxRepository,
  type OutboxRow,
  type PendingRequest,
  type PendingRequestRepository,
  type RoleRepository,
  type RunFilter,
  type RunRepository,
  type SettingsRepository,
  type TimerRepository,
  type TimerRow,
  type UsergroupRepository,
} from '../ports.ts';
import type { Orm } from './database.ts';
import { StatementCache, TableCodec } from './table-codec.ts';

const statementCaches = new WeakMap<object, StatementCache>();
function statements(orm: Orm): StatementCache {
  let c = statementCaches.get(orm.$client);
  if (!c) {
    c = new StatementCache(orm.$client);
    statementCaches.set(orm.$client, c);
  }
  return c;
}

const runCodec = new TableCodec<typeof t.runs.$inferSelect>(t.runs);
const stepCodec = new TableCodec<typeof t.steps.$inferSelect>(t.steps);
const eventCodec = new TableCodec<typeof t.events.$inferSelect>(t.events);
const outboxCodec = new TableCodec<typeof t.outbox.$inferSelect>(t.outbox);

const timerCodec = new TableCodec<typeof t.timers.$inferSelect>(t.timers);

const SQL = {
  nextSeq: `INSERT INTO "sequences" ("name", "value") VALUES (?, 1) ON CONFLICT ("name") DO UPDATE SET "value" = "value" + 1 RETURNING "value"`,
  insertTimer: timerCodec.insertSql(['runId', 'stepId', 'kind', 'dueAt', 'data', 'status', 'createdAt']),
  runById: 'SELECT * FROM "runs" WHERE "id" = ?',
  stepsOfRun: 'SELECT * FROM "steps" WHERE "run_id" = ? ORDER BY "idx"',
  updateRun: runCodec
    .updateSql(['id', 'version'], '"id" = @id AND "version" = @expectedVersion')
    .replace(' WHERE', ', "version" = @expectedVersion + 1 WHERE'),
  updateStep: stepCodec
    .updateSql(['id', 'runId', 'version'], '"id" = @id AND "version" = @expectedVersion')
    .replace(' WHERE', ', "version" = @expectedVersion + 1 WHERE'),
  insertRun: runCodec.insertSql(),
  insertStep: stepCodec.insertSql(),
  deleteAssignees: 'DELETE FROM "step_assignees" WHERE "step_id" = ?',
  insertAssignee:
    'INSERT OR IGNORE INTO "step_assignees" ("step_id", "run_id", "principal", "role") VALUES (?, ?, ?, ?)',
  insertEvent: eventCodec.insertSql(['runId', 'at', 'actor', 'type', 'stepKey', 'data']),
  channelOfRun: 'SELECT "channel_id" AS c FROM "runs" WHERE "id" = ?',
  insertOutbox: outboxCodec.insertSql([
    'runId',
    'kind',
    'channelId',
    'inThread',
    'payload',
    'status',
    'nextAttemptAt',
    'createdAt',
  ]),
  cancelStepTimers: `UPDATE "timers" SET "status" = 'cancelled' WHERE "step_id" = ? AND "status" = 'pending'`,
  groupsOf:
    'SELECT "group_id" AS g FROM "usergroup_members" WHERE EXISTS (SELECT 1 FROM json_each("members") WHERE value = ?)',
  allRoles: 'SELECT "role", "members" FROM "role_holders"',
};

// ---- SQLite ------------------------------------------------------------------------------------

type RunRow = typeof t.runs.$inferSelect;
type StepRow = typeof t.steps.$inferSelect;

// Rows and domain objects share their field names (the schema is written after the model), so
// mapping is dropping the link column and narrowing the text columns' types.
function toStep({ runId: _runId, ...step }: StepRow): Step {
  return step as Step;
}

function toRun(r: RunRow, steps: Step[]): Run {
  return { ...(r as Omit<Run, 'steps'>), steps };
}

function stepValues(runId: string, { id: _id, ...step }: Step) {
  return { ...step, runId };
}

function runValues({ steps: _steps, ...run }: Run) {
  return run;
}

/** Who may act on an active step: one row per principal and role (the "waiting on me" index). */
function assigneeRows(runId: string, s: Step) {
  if (s.id === null || (s.status !== 'active' && s.status !== 'blocked')) return [];
  const rows: { stepId: number; runId: string; principal: string; role: string }[] = [];
  for (const role of [...s.owners, ...s.approvers]) {
    for (const principal of s.assignees[role] ?? []) rows.push({ stepId: s.id, runId, principal, role });
  }
  return rows;
}

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
    const raw = st.get(SQL.runById).get(id) as Record<string, unknown> | undefined;
    if (!raw) return null;
    const steps = (st.get(SQL.stepsOfRun).all(id) as Record<string, unknown>[]).map((r) =>
      toStep(stepCodec.decode(r)),
    );
    return toRun(runCodec.decode(raw), steps);
  }

  async save(run: Run, stepIdxs: Iterable<number>, expectedVersion: number): Promise<void> {
    const st = statements(this.orm);
    const { version: _v, ...values } = runValues(run);
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
  }

  async setRootMessage(id: string, channelId: string, rootTs: string, threadTs: string): Promise<void> {
    this.orm.update(t.runs).set({ channelId, rootTs, threadTs }).where(eq(t.runs.id, id)).run();
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
    if (filter.limit) q = q.limit(filter.limit);
    const rows = q.all();
    return this.withSteps(rows);
  }

  private withSteps(rows: RunRow[]): Run[] {
    if (rows.length === 0) return [];
    const byRun = new Map<string, Step[]>();
    // Chunk the IN list: SQLite caps bound parameters.
    for (let i = 0; i < rows.length; i += 500) {
      const ids = rows.slice(i, i + 500).map((r) => r.id);
      for (const s of this.orm
        .select()
        .from(t.steps)
        .where(inArray(t.steps.runId, ids))
        .orderBy(asc(t.steps.idx))
        .all()) {
        const list = byRun.get(s.runId) ?? [];
        list.push(toStep(s));
        byRun.set(s.runId, list);
      }
    }
    return rows.map((r) => toRun(r, byRun.get(r.id) ?? []));
  }

  async waitingOn(principals: string[]): Promise<{ run: Run; step: Step }[]> {
    if (principals.length === 0) return [];
    const stepIds = this.orm
      .selectDistinct({ stepId: t.stepAssignees.stepId, runId: t.stepAssignees.runId })
      .from(t.stepAssignees)
      .where(inArray(t.stepAssignees.principal, principals))
      .all();
    if (stepIds.length === 0) return [];
    const runs = this.withSteps(
      this.orm
        .select()
        .from(t.runs)
        .where(inArray(t.runs.id, [...new Set(stepIds.map((s) => s.runId))]))
        .orderBy(asc(t.runs.createdAt))
        .all(),
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
    return this.orm.select({ n: sql<number>`count(*)` }).from(t.runs).get()?.n ?? 0;
  }
}

export class SqliteEventRepository implements EventRepository {
  constructor(private readonly orm: Orm) {}

  async append(events: RunEvent[]): Promise<void> {
    const insert = statements(this.orm).get(SQL.insertEvent);
    for (const e of events) {
      insert.run(
        eventCodec.encode({
          runId: e.runId,
          at: e.at,
          actor: e.actor,
          type: e.type,
          stepKey: e.stepKey,
          data: e.data,
        }),
      );
    }
  }

  async forRun(runId: string): Promise<RunEvent[]> {
    return this.orm.select().from(t.events).where(eq(t.events.runId, runId)).orderBy(asc(t.events.id)).all();
  }

  async forRuns(runIds: string[]): Promise<Map<string, RunEvent[]>> {
    const out = new Map<string, RunEvent[]>();
    for (let i = 0; i < runIds.length; i += 500) {
      const ids = runIds.slice(i, i + 500);
      for (const e of this.orm
        .select()
        .from(t.events)
        .where(inArray(t.events.runId, ids))
        .orderBy(asc(t.events.id))
        .all()) {
        const list = out.get(e.runId!) ?? [];
        list.push(e);
        out.set(e.runId!, list);
      }
    }
    return out;
  }
}

type OutboxDbRow = typeof t.outbox.$inferSelect;

function deliveryOf(r: OutboxDbRow): Delivery {
  switch (r.kind) {
    case 'dm':
      return { kind: 'dm', userId: r.channelId! };
    case 'channel':
      return { kind: 'channel', channelId: r.channelId! };
    case 'root':
      return { kind: 'root' };
    case 'root_update':
      return { kind: 'root_update' };
    default:
      return { kind: 'thread' };
  }
}

function toOutboxRow(r: OutboxDbRow): OutboxRow {
  return {
    id: r.id,
    runId: r.runId,
    delivery: deliveryOf(r),
    notice: r.payload as unknown as Notice,
    attempts: r.attempts,
    status: r.status as OutboxRow['status'],
    lastError: r.lastError,
    resultTs: r.resultTs,
    createdAt: r.createdAt,
    sentAt: r.sentAt,
    maybeSent: r.maybeSent,
  };
}

export class SqliteOutboxRepository implements OutboxRepository {
  constructor(private readonly orm: Orm) {}

  async enqueue(
    items: { runId: string | null; delivery: Delivery; notice: Notice }[],
    now: number,
  ): Promise<number[]> {
    const st = statements(this.orm);
    const insert = st.get(SQL.insertOutbox);
    // A run's messages carry its channel too, so a sender can leave a channel it must pace alone.
    const runChannels = new Map<string, string | null>();
    const channelOf = (runId: string | null) => {
      if (!runId) return null;
      if (!runChannels.has(runId))
        runChannels.set(
          runId,
          (st.get(SQL.channelOfRun).get(runId) as { c: string | null } | undefined)?.c ?? null,
        );
      return runChannels.get(runId)!;
    };
    return items.map((i) =>
      Number(
        insert.run(
          outboxCodec.encode({
            runId: i.runId,
            kind: i.delivery.kind,
            channelId:
              i.delivery.kind === 'dm'
                ? i.delivery.userId
                : i.delivery.kind === 'channel'
                  ? i.delivery.channelId
                  : channelOf(i.runId),
            inThread: i.delivery.kind === 'thread',
            payload: i.notice as unknown as Record<string, unknown>,
            status: 'pending',
            nextAttemptAt: now,
            createdAt: now,
          }),
        ).lastInsertRowid,
      ),
    );
  }

  async claimDue(
    now: number,
    limit: number,
    worker: string,
    leaseMs: number,
    skipChannels: string[] = [],
  ): Promise<OutboxRow[]> {
    const candidates = this.orm
      .select()
      .from(t.outbox)
      .where(
        and(
          eq(t.outbox.status, 'pending'),
          lte(t.outbox.nextAttemptAt, now),
          or(isNull(t.outbox.claimedUntil), lt(t.outbox.claimedUntil, now)),
          skipChannels.length > 0
            ? or(isNull(t.outbox.channelId), notInArray(t.outbox.channelId, skipChannels))
            : undefined,
        ),
      )
      .orderBy(asc(t.outbox.id))
      .limit(limit)
      .all();
    const claimed: OutboxRow[] = [];
    for (const c of candidates) {
      const res = this.orm
        .update(t.outbox)
        .set({ claimedBy: worker, claimedUntil: now + leaseMs })
        .where(
          and(
            eq(t.outbox.id, c.id),
            eq(t.outbox.status, 'pending'),
            or(isNull(t.outbox.claimedUntil), lt(t.outbox.claimedUntil, now)),
          ),
        )
        .run();
      if (res.changes === 1) claimed.push(toOutboxRow(c));
    }
    return claimed;
  }

  async markSent(id: number, worker: string, resultTs: string | null, now: number): Promise<boolean> {
    return this.settle(id, worker, { status: 'sent', resultTs, sentAt: now, maybeSent: false }, true);
  }

  async retryLater(id: number, worker: string, nextAttemptAt: number, error: string): Promise<boolean> {
    return this.settle(id, worker, { nextAttemptAt, lastError: error }, true);
  }

  async markFailed(id: number, worker: string, error: string, now: number): Promise<boolean> {
    return this.settle(id, worker, { status: 'failed', lastError: error, sentAt: now }, true);
  }

  async handBack(
    id: number,
    worker: string,
    nextAttemptAt: number,
    reason: string,
    notPosted = false,
  ): Promise<boolean> {
    return this.settle(
      id,
      worker,
      { nextAttemptAt, lastError: reason, ...(notPosted ? { maybeSent: false } : {}) },
      false,
    );
  }

  async markInFlight(id: number, worker: string): Promise<boolean> {
    const res = this.orm
      .update(t.outbox)
      .set({ maybeSent: true })
      .where(and(eq(t.outbox.id, id), eq(t.outbox.claimedBy, worker), eq(t.outbox.status, 'pending')))
      .run();
    return res.changes === 1;
  }

  async hold(id: number, worker: string, reason: string): Promise<boolean> {
    return this.settle(id, worker, { status: 'held', lastError: reason }, true);
  }

  async releaseHeld(channelId: string, now: number): Promise<{ count: number; runIds: string[] }> {
    const rows = this.orm
      .update(t.outbox)
      .set({ status: 'pending', nextAttemptAt: now, claimedUntil: null })
      .where(and(eq(t.outbox.status, 'held'), eq(t.outbox.channelId, channelId)))
      .returning({ runId: t.outbox.runId })
      .all();
    return {
      count: rows.length,
      runIds: [...new Set(rows.flatMap((r) => (r.runId ? [r.runId] : [])))],
    };
  }

  async heldChannels(): Promise<string[]> {
    return this.orm
      .selectDistinct({ c: t.outbox.channelId })
      .from(t.outbox)
      .where(and(eq(t.outbox.status, 'held'), isNotNull(t.outbox.channelId)))
      .all()
      .map((r) => r.c!);
  }

  async earlierHeld(runId: string, id: number): Promise<string | null> {
    const row = this.earlier(runId, id, 'held', ['dm']);
    return row ? (row.error ?? 'held') : null;
  }

  async leaseHolders(now: number): Promise<string[]> {
    return this.orm
      .selectDistinct({ w: t.outbox.claimedBy })
      .from(t.outbox)
      .where(
        and(eq(t.outbox.status, 'pending'), isNotNull(t.outbox.claimedBy), gte(t.outbox.claimedUntil, now)),
      )
      .all()
      .map((r) => r.w!);
  }

  async releaseLeases(workers: string[], now: number): Promise<number> {
    if (workers.length === 0) return 0;
    return this.orm
      .update(t.outbox)
      .set({ claimedUntil: null })
      .where(
        and(
          eq(t.outbox.status, 'pending'),
          inArray(t.outbox.claimedBy, workers),
          gte(t.outbox.claimedUntil, now),
        ),
      )
      .run().changes;
  }

  async deliveryProblems(runIds?: string[]): Promise<DeliveryProblem[]> {
    if (runIds && runIds.length === 0) return [];
    const rows = this.orm
      .select({
        runId: t.outbox.runId,
        channelId: t.outbox.channelId,
        kind: t.outbox.kind,
        status: t.outbox.status,
        lastError: t.outbox.lastError,
        createdAt: t.outbox.createdAt,
      })
      .from(t.outbox)
      .where(
        and(
          inArray(t.outbox.status, ['held', 'failed']),
          isNotNull(t.outbox.runId),
          runIds ? inArray(t.outbox.runId, runIds) : undefined,
        ),
      )
      .orderBy(asc(t.outbox.id))
      .all();
    const byRun = new Map<string, DeliveryProblem>();
    for (const r of rows) {
      // A run started without a channel has nowhere to post: not Slack refusing anything.
      if (r.status === 'failed' && r.lastError === NO_CHANNEL) continue;
      const p = byRun.get(r.runId!) ?? {
        runId: r.runId!,
        channelId: null,
        held: 0,
        failed: 0,
        errors: [],
        since: r.createdAt,
      };
      if (r.kind !== 'dm' && r.kind !== 'channel' && r.channelId) p.channelId = r.channelId;
      if (r.status === 'held') p.held++;
      else p.failed++;
      const error = (r.lastError ?? 'unknown_error').replace(/ \(.*$/, '');
      if (!p.errors.includes(error)) p.errors.push(error);
      byRun.set(r.runId!, p);
    }
    return [...byRun.values()];
  }

  /**
   * Releases the row's lease and writes `values`, only while `worker` holds it (claimed it
   * last, still pending); `attempt` counts one in `attempts`.
   */
  private settle(
    id: number,
    worker: string,
    values: SQLiteUpdateSetSource<typeof t.outbox>,
    attempt: boolean,
  ): boolean {
    const res = this.orm
      .update(t.outbox)
      .set({
        ...values,
        claimedUntil: null,
        ...(attempt ? { attempts: sql`${t.outbox.attempts} + 1` } : {}),
      })
      .where(and(eq(t.outbox.id, id), eq(t.outbox.claimedBy, worker), eq(t.outbox.status, 'pending')))
      .run();
    return res.changes === 1;
  }

  async hasEarlierPending(runId: string, id: number): Promise<boolean> {
    // Direct messages and root updates (rendered from current state) never hold a thread back.
    return this.earlier(runId, id, 'pending', ['dm', 'root_update']) !== undefined;
  }

  /** The run's oldest row before `id` in this status, leaving out these kinds. */
  private earlier(runId: string, id: number, status: OutboxRow['status'], exceptKinds: string[]) {
    return this.orm
      .select({ id: t.outbox.id, error: t.outbox.lastError })
      .from(t.outbox)
      .where(
        and(
          eq(t.outbox.runId, runId),
          lt(t.outbox.id, id),
          eq(t.outbox.status, status),
          notInArray(t.outbox.kind, exceptKinds),
        ),
      )
      .orderBy(asc(t.outbox.id))
      .limit(1)
      .get();
  }

  async hasNewerRootUpdate(runId: string, id: number): Promise<boolean> {
    const row = this.orm
      .select({ id: t.outbox.id })
      .from(t.outbox)
      .where(
        and(
          eq(t.outbox.runId, runId),
          sql`${t.outbox.id} > ${id}`,
          eq(t.outbox.kind, 'root_update'),
          eq(t.outbox.status, 'pending'),
        ),
      )
      .limit(1)
      .get();
    return row !== undefined;
  }

  async pendingCount(): Promise<number> {
    return (
      this.orm.select({ n: sql<number>`count(*)` }).from(t.outbox).where(eq(t.outbox.status, 'pending')).get()
        ?.n ?? 0
    );
  }

  async list(filter: { status?: OutboxRow['status']; runId?: string } = {}): Promise<OutboxRow[]> {
    const where = [];
    if (filter.status) where.push(eq(t.outbox.status, filter.status));
    if (filter.runId) where.push(eq(t.outbox.runId, filter.runId));
    return this.orm
      .select()
      .from(t.outbox)
      .where(where.length ? and(...where) : undefined)
      .orderBy(asc(t.outbox.id))
      .all()
      .map(toOutboxRow);
  }
}

export class SqliteRoleRepository implements RoleRepository {
  constructor(private readonly orm: Orm) {}

  async all(): Promise<Map<string, string[]>> {
    const rows = statements(this.orm).get(SQL.allRoles).all() as { role: string; members: string }[];
    return new Map(rows.map((r) => [r.role, JSON.parse(r.members) as string[]]));
  }

  async get(role: string): Promise<string[] | null> {
    return this.orm.select().from(t.roleHolders).where(eq(t.roleHolders.role, role)).get()?.members ?? null;
  }

  async set(role: string, members: string[], by: string, now: number): Promise<void> {
    this.orm
      .insert(t.roleHolders)
      .values({ role, members, updatedAt: now, updatedBy: by })
      .onConflictDoUpdate({ target: t.roleHolders.role, set: { members, updatedAt: now, updatedBy: by } })
      .run();
  }

  async seed(defaults: Map<string, string[]>, now: number): Promise<void> {
    for (const [role, members] of defaults) {
      this.orm
        .insert(t.roleHolders)
        .values({ role, members, updatedAt: now, updatedBy: 'roles.yml' })
        .onConflictDoNothing()
        .run();
    }
  }
}

export class SqliteUsergroupRepository implements UsergroupRepository {
  constructor(private readonly orm: Orm) {}

  async set(groupId: string, members: string[], now: number): Promise<void> {
    this.orm
      .insert(t.usergroupMembers)
      .values({ groupId, members, refreshedAt: now })
      .onConflictDoUpdate({ target: t.usergroupMembers.groupId, set: { members, refreshedAt: now } })
      .run();
  }

  async get(groupId: string) {
    const r = this.orm.select().from(t.usergroupMembers).where(eq(t.usergroupMembers.groupId, groupId)).get();
    return r ? { members: r.members, refreshedAt: r.refreshedAt } : null;
  }

  async groupsOf(userId: string): Promise<string[]> {
    return (statements(this.orm).get(SQL.groupsOf).all(userId) as { g: string }[]).map((r) => r.g);
  }
}

type TimerDbRow = typeof t.timers.$inferSelect;
export const toTimer = (r: TimerDbRow): TimerRow => ({
  id: r.id,
  runId: r.runId,
  stepId: r.stepId,
  kind: r.kind,
  dueAt: r.dueAt,
  status: r.status as TimerRow['status'],
  data: r.data,
  firedAt: r.firedAt,
  createdAt: r.createdAt,
});

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

  async cancelForStep(stepId: number, kinds?: string[]): Promise<number> {
    if (!kinds) return statements(this.orm).get(SQL.cancelStepTimers).run(stepId).changes;
    const where = [eq(t.timers.stepId, stepId), eq(t.timers.status, 'pending')];
    if (kinds) where.push(inArray(t.timers.kind, kinds));
    return this.orm
      .update(t.timers)
      .set({ status: 'cancelled' })
      .where(and(...where))
      .run().changes;
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
    return this.orm
      .select()
      .from(t.timers)
      .where(eq(t.timers.runId, runId))
      .orderBy(asc(t.timers.id))
      .all()
      .map(toTimer);
  }

  async pendingForRuns(runIds: string[]): Promise<TimerRow[]> {
    const out: TimerRow[] = [];
    for (let i = 0; i < runIds.length; i += 500) {
      const ids = runIds.slice(i, i + 500);
      out.push(
        ...this.orm
          .select()
          .from(t.timers)
          .where(and(inArray(t.timers.runId, ids), eq(t.timers.status, 'pending')))
          .all()
          .map(toTimer),
      );
    }
    return out;
  }
}

export class SqliteDigestRepository implements DigestRepository {
  constructor(private readonly orm: Orm) {}

  async claim(periodKey: string, kind: string, worker: string, now: number): Promise<boolean> {
    const res = this.orm
      .insert(t.digests)
      .values({ periodKey, kind, claimedBy: worker, claimedAt: now })
      .onConflictDoNothing()
      .run();
    return res.changes === 1;
  }

  async markPosted(periodKey: string, outboxId: number | null, now: number): Promise<void> {
    this.orm
      .update(t.digests)
      .set({ postedAt: now, outboxId })
      .where(eq(t.digests.periodKey, periodKey))
      .run();
  }

  async last(kind: string) {
    return (
      this.orm
        .select({
          periodKey: t.digests.periodKey,
          claimedAt: t.digests.claimedAt,
          postedAt: t.digests.postedAt,
        })
        .from(t.digests)
        .where(and(eq(t.digests.kind, kind), isNotNull(t.digests.claimedAt)))
        .orderBy(desc(t.digests.claimedAt))
        .limit(1)
        .get() ?? null
    );
  }
}

export class SqliteIdempotencyRepository implements IdempotencyRepository {
  constructor(private readonly orm: Orm) {}

  async seen(keys: string[]) {
    if (keys.length === 0) return null;
    const row = this.orm
      .select()
      .from(t.idempotencyKeys)
      .where(inArray(t.idempotencyKeys.key, keys))
      .limit(1)
      .get();
    return row ? { key: row.key, runId: row.runId } : null;
  }

  async record(keys: string[], runId: string | null, now: number): Promise<void> {
    if (keys.length === 0) return;
    this.orm
      .insert(t.idempotencyKeys)
      .values(keys.map((key) => ({ key, runId, createdAt: now })))
      .onConflictDoNothing()
      .run();
  }
}

export class SqlitePendingRequestRepository implements PendingRequestRepository {
  constructor(private readonly orm: Orm) {}

  async insert(p: Omit<PendingRequest, 'id' | 'resolvedRunId'>): Promise<number> {
    return this.orm.insert(t.pendingRequests).values(p).returning({ id: t.pendingRequests.id }).get().id;
  }

  async get(id: number): Promise<PendingRequest | null> {
    return this.orm.select().from(t.pendingRequests).where(eq(t.pendingRequests.id, id)).get() ?? null;
  }

  async resolve(id: number, runId: string): Promise<boolean> {
    return (
      this.orm
        .update(t.pendingRequests)
        .set({ resolvedRunId: runId })
        .where(and(eq(t.pendingRequests.id, id), isNull(t.pendingRequests.resolvedRunId)))
        .run().changes === 1
    );
  }
}

export class SqliteCorrectionRepository implements CorrectionRepository {
  constructor(private readonly orm: Orm) {}

  async insert(c: {
    text: string;
    chain: string;
    predicted: string | null;
    actor: string | null;
    createdAt: number;
  }) {
    this.orm.insert(t.classifierCorrections).values(c).run();
  }

  async all() {
    return this.orm
      .select({
        text: t.classifierCorrections.text,
        chain: t.classifierCorrections.chain,
        predicted: t.classifierCorrections.predicted,
        actor: t.classifierCorrections.actor,
        createdAt: t.classifierCorrections.createdAt,
      })
      .from(t.classifierCorrections)
      .orderBy(asc(t.classifierCorrections.id))
      .all();
  }
}

export class SqliteSettingsRepository implements SettingsRepository {
  constructor(private readonly orm: Orm) {}

  async get(key: string): Promise<string | null> {
    return this.orm.select().from(t.settings).where(eq(t.settings.key, key)).get()?.value ?? null;
  }

  async set(key: string, value: string, now: number): Promise<void> {
    this.orm
      .insert(t.settings)
      .values({ key, value, updatedAt: now })
      .onConflictDoUpdate({ target: t.settings.key, set: { value, updatedAt: now } })
      .run();
  }

  async installedAt(now: number): Promise<number> {
    const known = await this.get('installed_at');
    if (known !== null) return Number(known);
    const earliest = this.orm.$client
      .prepare(
        `SELECT min(m) AS at FROM (SELECT min("created_at") AS m FROM "runs"
           UNION ALL SELECT min("at") FROM "events" UNION ALL SELECT min("claimed_at") FROM "digests")`,
      )
      .get() as { at: number | null };
    const at = Math.min(now, earliest.at ?? now);
    // Another process may have recorded it first: the first record stands.
    this.orm
      .insert(t.settings)
      .values({ key: 'installed_at', value: String(at), updatedAt: now })
      .onConflictDoNothing()
      .run();
    return Number((await this.get('installed_at')) ?? at);
  }
}
