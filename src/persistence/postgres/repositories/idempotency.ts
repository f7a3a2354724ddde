// IdempotencyRepository on PostgreSQL: Slack deliveries already handled, and the run each led
// to. A claim inserts first (ON CONFLICT DO NOTHING RETURNING): of two transactions inserting
// one key, the second waits on the first's row and then inserts nothing.
import { and, inArray, isNull } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.pg.ts';
import type { IdempotencyClaim, IdempotencyRepository } from '../../ports.ts';
import type { PgOrm } from '../database.ts';

export class PgIdempotencyRepository implements IdempotencyRepository {
  constructor(private readonly orm: PgOrm) {}

  async claim(keys: string[], now: number): Promise<IdempotencyClaim> {
    const wanted = [...new Set(keys)];
    if (wanted.length === 0) return { claimed: true };
    const inserted = new Set(
      (
        await this.orm
          .insert(t.idempotencyKeys)
          .values(wanted.map((key) => ({ key, runId: null, createdAt: now })))
          .onConflictDoNothing()
          .returning({ key: t.idempotencyKeys.key })
      ).map((r) => r.key),
    );
    if (inserted.size === wanted.length) return { claimed: true };
    const known = new Map(
      (
        await this.orm
          .select({ key: t.idempotencyKeys.key, runId: t.idempotencyKeys.runId })
          .from(t.idempotencyKeys)
          .where(
            inArray(
              t.idempotencyKeys.key,
              wanted.filter((k) => !inserted.has(k)),
            ),
          )
      ).map((r) => [r.key, r.runId]),
    );
    const runId = wanted.map((k) => known.get(k)).find((r) => r !== undefined && r !== null) ?? null;
    if (runId !== null && inserted.size > 0) await this.attach([...inserted], runId);
    return { claimed: false, runId };
  }

  async attach(keys: string[], runId: string): Promise<void> {
    if (keys.length === 0) return;
    await this.orm
      .update(t.idempotencyKeys)
      .set({ runId })
      .where(and(inArray(t.idempotencyKeys.key, keys), isNull(t.idempotencyKeys.runId)));
  }

  async seen(keys: string[]) {
    if (keys.length === 0) return null;
    const [row] = await this.orm
      .select()
      .from(t.idempotencyKeys)
      .where(inArray(t.idempotencyKeys.key, keys))
      .limit(1);
    return row ? { key: row.key, runId: row.runId } : null;
  }
}
