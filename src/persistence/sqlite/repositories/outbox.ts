// OutboxRepository on SQLite: messages owed, claimed under a lease, settled only by their holder.
import { and, asc, eq, gte, inArray, isNotNull, sql } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { Delivery, DeliveryProblem, Notice } from '../../../domain/notices.ts';
import type { OutboxRepository, OutboxRow } from '../../ports.ts';
import { deliveryProblemsOf, storedDestination, toOutboxRow } from '../../rows.ts';
import type { Orm } from '../database.ts';
import { statements, TableCodec } from '../table-codec.ts';

type OutboxDbRow = typeof t.outbox.$inferSelect;
const outboxCodec = new TableCodec<OutboxDbRow>(t.outbox);

/**
 * The settling UPDATE for these columns (bound by key), only while `@worker` holds the row:
 * the lease released, one attempt counted when `attempt`. A handful of shapes, each prepared once.
 */
function settleSql(keys: string[], attempt: boolean): string {
  const sets = keys.map((k) => `"${outboxCodec.column(k).name}" = @${k}`);
  sets.push('"claimed_until" = NULL');
  if (attempt) sets.push('"attempts" = "attempts" + 1');
  return `UPDATE "outbox" SET ${sets.join(', ')} WHERE "id" = @id AND "claimed_by" = @worker AND "status" = 'pending'`;
}

const SQL = {
  channelOfRun: 'SELECT "channel_id" AS c FROM "runs" WHERE "id" = ?',
  earlierInLane: `SELECT 1 FROM "outbox" WHERE "channel_id" = ? AND "id" < ? AND "status" = 'pending' LIMIT 1`,
  // The due rows leased in one statement, each destination's oldest first, then each one's
  // second, … (see the port); `@skip` is a JSON array of lanes.
  claimDue: `UPDATE "outbox" SET "claimed_by" = @worker, "claimed_until" = @until WHERE "id" IN (
    SELECT "id" FROM (
      SELECT "id", row_number() OVER (
        PARTITION BY coalesce("channel_id", 'row:' || "id") ORDER BY "id") AS "turn"
      FROM "outbox" WHERE "status" = 'pending' AND "next_attempt_at" <= @now
        AND ("claimed_until" IS NULL OR "claimed_until" < @now)
        AND ("channel_id" IS NULL OR "channel_id" NOT IN (SELECT "value" FROM json_each(@skip))))
    ORDER BY "turn", "id" LIMIT @limit) RETURNING *`,
  // A lane's due, unleased rows in order, from @from or after its last row waiting for its turn.
  park: `UPDATE "outbox" SET "next_attempt_at" = p."base" + p."k" * @interval
    FROM (SELECT "id", row_number() OVER (ORDER BY "id") - 1 AS "k",
        max(@from, coalesce((SELECT max("next_attempt_at") FROM "outbox" WHERE "channel_id" = @lane
          AND "status" = 'pending' AND "next_attempt_at" > @now) + @interval, @from)) AS "base"
      FROM "outbox" WHERE "channel_id" = @lane AND "status" = 'pending' AND "next_attempt_at" <= @now
        AND ("claimed_until" IS NULL OR "claimed_until" < @now)) AS p
    WHERE "outbox"."id" = p."id"`,
  markInFlight: `UPDATE "outbox" SET "maybe_sent" = 1 WHERE "id" = ? AND "claimed_by" = ? AND "status" = 'pending'`,
  earlier: `SELECT "id", "last_error" AS "error" FROM "outbox" WHERE "run_id" = @runId AND "id" < @id
    AND "status" = @status AND "kind" NOT IN (SELECT "value" FROM json_each(@except)) ORDER BY "id" LIMIT 1`,
  /** The run's root update waiting unleased, if any (see `enqueue`). */
  waitingRootUpdate: `SELECT "id" FROM "outbox" WHERE "run_id" = ? AND "kind" = 'root_update' AND "status" = 'pending'
    AND "claimed_until" IS NULL ORDER BY "id" DESC LIMIT 1`,
  newerRootUpdate: `SELECT 1 FROM "outbox" WHERE "run_id" = ? AND "id" > ? AND "kind" = 'root_update' AND "status" = 'pending' LIMIT 1`,
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
};

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
    const waitingRootUpdate = (runId: string) =>
      (st.get(SQL.waitingRootUpdate).get(runId) as { id: number } | undefined)?.id;
    const ids = items.map((i) => {
      // A root update shows the run as it is when sent: one still waiting covers this one too.
      const waiting = i.delivery.kind === 'root_update' && i.runId ? waitingRootUpdate(i.runId) : undefined;
      if (waiting !== undefined) return waiting;
      return Number(
        insert.run(
          outboxCodec.encode({
            runId: i.runId,
            kind: i.delivery.kind,
            channelId: storedDestination(i.delivery) ?? channelOf(i.runId),
            inThread: i.delivery.kind === 'thread',
            payload: i.notice as unknown as Record<string, unknown>,
            status: 'pending',
            nextAttemptAt: now,
            createdAt: now,
          }),
        ).lastInsertRowid,
      );
    });
    return [...new Set(ids)].sort((a, b) => a - b);
  }

  async claimDue(
    now: number,
    limit: number,
    worker: string,
    leaseMs: number,
    skipChannels: string[] = [],
  ): Promise<OutboxRow[]> {
    const rows = statements(this.orm)
      .get(SQL.claimDue)
      .all({ worker, until: now + leaseMs, now, skip: JSON.stringify(skipChannels), limit }) as Record<
      string,
      unknown
    >[];
    return rows.map((r) => toOutboxRow(outboxCodec.decode(r))).sort((a, b) => a.id - b.id);
  }

  async park(lane: string, from: number, intervalMs: number, now: number): Promise<number> {
    return statements(this.orm).get(SQL.park).run({ lane, from, interval: intervalMs, now }).changes;
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
    return statements(this.orm).get(SQL.markInFlight).run(id, worker).changes === 1;
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
    return deliveryProblemsOf(rows);
  }

  /**
   * Releases the row's lease and writes `values`, only while `worker` holds it (claimed it
   * last, still pending); `attempt` counts one in `attempts`.
   */
  private settle(id: number, worker: string, values: Partial<OutboxDbRow>, attempt: boolean): boolean {
    const encoded = outboxCodec.encode(values);
    const keys = Object.keys(encoded);
    const sql = settleSql(keys, attempt);
    return (
      statements(this.orm)
        .get(sql)
        .run({ ...encoded, id, worker }).changes === 1
    );
  }

  async hasEarlierPendingInLane(channelId: string, id: number): Promise<boolean> {
    return statements(this.orm).get(SQL.earlierInLane).get(channelId, id) !== undefined;
  }

  async hasEarlierPending(runId: string, id: number): Promise<boolean> {
    // Direct messages and root updates (rendered from current state) never hold a thread back.
    return this.earlier(runId, id, 'pending', ['dm', 'root_update']) !== undefined;
  }

  /** The run's oldest row before `id` in this status, leaving out these kinds. */
  private earlier(runId: string, id: number, status: OutboxRow['status'], exceptKinds: string[]) {
    return statements(this.orm)
      .get(SQL.earlier)
      .get({ runId, id, status, except: JSON.stringify(exceptKinds) }) as
      | { id: number; error: string | null }
      | undefined;
  }

  async hasNewerRootUpdate(runId: string, id: number): Promise<boolean> {
    return statements(this.orm).get(SQL.newerRootUpdate).get(runId, id) !== undefined;
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
