// OutboxRepository on PostgreSQL: messages owed, claimed under a lease (FOR UPDATE SKIP LOCKED:
// replicas claiming together take different rows), settled only by their holder.
import {
  and,
  asc,
  eq,
  getTableColumns,
  gt,
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
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import * as t from '../../../../drizzle/schema.pg.ts';
import type { Delivery, DeliveryProblem, Notice } from '../../../domain/notices.ts';
import type { OutboxRepository, OutboxRow } from '../../ports.ts';
import { deliveryProblemsOf, storedDestination, toOutboxRow } from '../../rows.ts';
import type { PgOrm } from '../database.ts';
import { type PgQueryable, query, statement } from '../statements.ts';

const unleased = (now: number) => or(isNull(t.outbox.claimedUntil), lt(t.outbox.claimedUntil, now));

/**
 * Messages owed, one JSON array, stored in its order. A run's message carries its run's channel,
 * read by the INSERT itself (`from_run`), so a sender can leave a channel it must pace alone. A
 * run's root update is not stored when one is waiting for that run (pending, unleased), nor twice
 * in one array: the waiting row is locked until this transaction ends, so a sender cannot render
 * it from the run as it was before this commit (one locked elsewhere is skipped: a row is added).
 */
const ENQUEUE = statement(
  'outbox_enqueue',
  `WITH m AS (
     SELECT * FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
       AS ("run_id" text, "kind" text, "channel_id" text, "from_run" boolean, "in_thread" boolean, "payload" jsonb))
       WITH ORDINALITY AS m),
   waiting AS (
     SELECT o."run_id", o."id" FROM "outbox" AS o
     WHERE o."kind" = 'root_update' AND o."status" = 'pending' AND o."claimed_until" IS NULL
       AND o."run_id" IN (SELECT m."run_id" FROM m WHERE m."kind" = 'root_update')
     FOR UPDATE SKIP LOCKED),
   added AS (
     INSERT INTO "outbox" ("run_id", "kind", "channel_id", "in_thread", "payload", "status", "next_attempt_at", "created_at")
     SELECT m."run_id", m."kind",
       CASE WHEN m."from_run" THEN (SELECT r."channel_id" FROM "runs" AS r WHERE r."id" = m."run_id") ELSE m."channel_id" END,
       m."in_thread", m."payload", 'pending', $2::bigint, $2::bigint
     FROM m
     WHERE m."kind" <> 'root_update' OR m."run_id" IS NULL
       OR (m."run_id" NOT IN (SELECT w."run_id" FROM waiting AS w)
         AND m."ordinality" = (SELECT min(e."ordinality") FROM m AS e
           WHERE e."kind" = 'root_update' AND e."run_id" = m."run_id"))
     ORDER BY m."ordinality"
     RETURNING "id")
   SELECT "id" FROM added
   UNION SELECT max(w."id") FROM waiting AS w GROUP BY w."run_id"`,
);

/** A lane's due, unleased rows in order, from $2 or after its last row waiting for its turn. */
const PARK = statement(
  'outbox_park',
  `UPDATE "outbox" AS o SET "next_attempt_at" = p."base" + p."k" * $3::bigint
   FROM (SELECT "id", row_number() OVER (ORDER BY "id") - 1 AS "k",
       greatest($2::bigint, coalesce((SELECT max("next_attempt_at") FROM "outbox" WHERE "channel_id" = $1::text
         AND "status" = 'pending' AND "next_attempt_at" > $4::bigint) + $3::bigint, $2::bigint)) AS "base"
     FROM "outbox" WHERE "channel_id" = $1::text AND "status" = 'pending' AND "next_attempt_at" <= $4::bigint
       AND ("claimed_until" IS NULL OR "claimed_until" < $4::bigint)) AS p
   WHERE o."id" = p."id" AND o."status" = 'pending'`,
);

export class PgOutboxRepository implements OutboxRepository {
  constructor(
    private readonly orm: PgOrm,
    private readonly db: PgQueryable,
  ) {}

  async enqueue(
    items: { runId: string | null; delivery: Delivery; notice: Notice }[],
    now: number,
  ): Promise<number[]> {
    if (items.length === 0) return [];
    const messages = items.map((i) => {
      const channel = storedDestination(i.delivery);
      return {
        run_id: i.runId,
        kind: i.delivery.kind,
        channel_id: channel,
        from_run: channel === null && i.runId !== null,
        in_thread: i.delivery.kind === 'thread',
        payload: i.notice,
      };
    });
    const res = await query<{ id: number }>(this.db, ENQUEUE, [JSON.stringify(messages), now]);
    const rows = res.rows;
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  }

  async park(lane: string, from: number, intervalMs: number, now: number): Promise<number> {
    const res = await query(this.db, PARK, [lane, from, intervalMs, now]);
    return res.rowCount ?? 0;
  }

  async claimDue(
    now: number,
    limit: number,
    worker: string,
    leaseMs: number,
    skipChannels: string[] = [],
  ): Promise<OutboxRow[]> {
    const due = and(
      eq(t.outbox.status, 'pending'),
      lte(t.outbox.nextAttemptAt, now),
      unleased(now),
      skipChannels.length > 0
        ? or(isNull(t.outbox.channelId), notInArray(t.outbox.channelId, skipChannels))
        : undefined,
    );
    // Each destination's rows numbered oldest first: claims take turns across destinations.
    const turns = this.orm.$with('turns').as(
      this.orm
        .select({
          id: t.outbox.id,
          turn: sql<number>`row_number() OVER (
            PARTITION BY coalesce(${t.outbox.channelId}, 'row:' || ${t.outbox.id}::text) ORDER BY ${t.outbox.id})`.as(
            'turn',
          ),
        })
        .from(t.outbox)
        .where(due),
    );
    // The conditions again on the row locked: PostgreSQL checks them anew on a row another
    // claim changed meanwhile.
    const picked = this.orm
      .select({ id: t.outbox.id })
      .from(t.outbox)
      .innerJoin(turns, eq(turns.id, t.outbox.id))
      .where(due)
      .orderBy(asc(turns.turn), asc(t.outbox.id))
      .limit(limit)
      .for('update', { of: t.outbox, skipLocked: true });
    // A CTE, not `id IN (…)`: PostgreSQL may run an IN subquery again per row, past its LIMIT.
    const cte = this.orm.$with('picked').as(picked);
    const rows = await this.orm
      .with(turns, cte)
      .update(t.outbox)
      .set({ claimedBy: worker, claimedUntil: now + leaseMs })
      .from(cte)
      .where(eq(t.outbox.id, cte.id))
      .returning(getTableColumns(t.outbox));
    return rows.map(toOutboxRow).sort((a, b) => a.id - b.id);
  }

  markSent(id: number, worker: string, resultTs: string | null, now: number): Promise<boolean> {
    return this.settle(id, worker, { status: 'sent', resultTs, sentAt: now, maybeSent: false }, true);
  }

  retryLater(id: number, worker: string, nextAttemptAt: number, error: string): Promise<boolean> {
    return this.settle(id, worker, { nextAttemptAt, lastError: error }, true);
  }

  markFailed(id: number, worker: string, error: string, now: number): Promise<boolean> {
    return this.settle(id, worker, { status: 'failed', lastError: error, sentAt: now }, true);
  }

  handBack(id: number, worker: string, nextAttemptAt: number, reason: string, notPosted = false) {
    return this.settle(
      id,
      worker,
      { nextAttemptAt, lastError: reason, ...(notPosted ? { maybeSent: false } : {}) },
      false,
    );
  }

  async markInFlight(id: number, worker: string): Promise<boolean> {
    const res = await this.orm
      .update(t.outbox)
      .set({ maybeSent: true })
      .where(and(eq(t.outbox.id, id), eq(t.outbox.claimedBy, worker), eq(t.outbox.status, 'pending')));
    return res.rowCount === 1;
  }

  hold(id: number, worker: string, reason: string): Promise<boolean> {
    return this.settle(id, worker, { status: 'held', lastError: reason }, true);
  }

  async releaseHeld(channelId: string, now: number): Promise<{ count: number; runIds: string[] }> {
    const rows = await this.orm
      .update(t.outbox)
      .set({ status: 'pending', nextAttemptAt: now, claimedUntil: null })
      .where(and(eq(t.outbox.status, 'held'), eq(t.outbox.channelId, channelId)))
      .returning({ runId: t.outbox.runId });
    return {
      count: rows.length,
      runIds: [...new Set(rows.flatMap((r) => (r.runId ? [r.runId] : [])))],
    };
  }

  async heldChannels(): Promise<string[]> {
    const rows = await this.orm
      .selectDistinct({ c: t.outbox.channelId })
      .from(t.outbox)
      .where(and(eq(t.outbox.status, 'held'), isNotNull(t.outbox.channelId)));
    return rows.map((r) => r.c!);
  }

  async earlierHeld(runId: string, id: number): Promise<string | null> {
    const row = await this.earlier(runId, id, 'held', ['dm']);
    return row ? (row.error ?? 'held') : null;
  }

  async leaseHolders(now: number): Promise<string[]> {
    const rows = await this.orm
      .selectDistinct({ w: t.outbox.claimedBy })
      .from(t.outbox)
      .where(
        and(eq(t.outbox.status, 'pending'), isNotNull(t.outbox.claimedBy), gte(t.outbox.claimedUntil, now)),
      );
    return rows.map((r) => r.w!);
  }

  async releaseLeases(workers: string[], now: number): Promise<number> {
    if (workers.length === 0) return 0;
    const res = await this.orm
      .update(t.outbox)
      .set({ claimedUntil: null })
      .where(
        and(
          eq(t.outbox.status, 'pending'),
          inArray(t.outbox.claimedBy, workers),
          gte(t.outbox.claimedUntil, now),
        ),
      );
    return res.rowCount ?? 0;
  }

  async deliveryProblems(runIds?: string[]): Promise<DeliveryProblem[]> {
    if (runIds && runIds.length === 0) return [];
    const rows = await this.orm
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
      .orderBy(asc(t.outbox.id));
    return deliveryProblemsOf(rows);
  }

  /** Releases the row's lease and writes `values`, only while `worker` holds it. */
  private async settle(
    id: number,
    worker: string,
    values: PgUpdateSetSource<typeof t.outbox>,
    attempt: boolean,
  ): Promise<boolean> {
    const res = await this.orm
      .update(t.outbox)
      .set({
        ...values,
        claimedUntil: null,
        ...(attempt ? { attempts: sql`${t.outbox.attempts} + 1` } : {}),
      })
      .where(and(eq(t.outbox.id, id), eq(t.outbox.claimedBy, worker), eq(t.outbox.status, 'pending')));
    return res.rowCount === 1;
  }

  async hasEarlierPendingInLane(channelId: string, id: number): Promise<boolean> {
    const [row] = await this.orm
      .select({ id: t.outbox.id })
      .from(t.outbox)
      .where(and(eq(t.outbox.channelId, channelId), lt(t.outbox.id, id), eq(t.outbox.status, 'pending')))
      .limit(1);
    return row !== undefined;
  }

  async hasEarlierPending(runId: string, id: number): Promise<boolean> {
    return (await this.earlier(runId, id, 'pending', ['dm', 'root_update'])) !== undefined;
  }

  private async earlier(runId: string, id: number, status: OutboxRow['status'], exceptKinds: string[]) {
    const [row] = await this.orm
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
      .limit(1);
    return row;
  }

  async hasNewerRootUpdate(runId: string, id: number): Promise<boolean> {
    const [row] = await this.orm
      .select({ id: t.outbox.id })
      .from(t.outbox)
      .where(
        and(
          eq(t.outbox.runId, runId),
          gt(t.outbox.id, id),
          eq(t.outbox.kind, 'root_update'),
          eq(t.outbox.status, 'pending'),
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  async pendingCount(): Promise<number> {
    const [row] = await this.orm
      .select({ n: sql<number>`count(*)::int` })
      .from(t.outbox)
      .where(eq(t.outbox.status, 'pending'));
    return row?.n ?? 0;
  }

  async list(filter: { status?: OutboxRow['status']; runId?: string } = {}): Promise<OutboxRow[]> {
    const where = [];
    if (filter.status) where.push(eq(t.outbox.status, filter.status));
    if (filter.runId) where.push(eq(t.outbox.runId, filter.runId));
    const rows = await this.orm
      .select()
      .from(t.outbox)
      .where(where.length ? and(...where) : undefined)
      .orderBy(asc(t.outbox.id));
    return rows.map(toOutboxRow);
  }
}
