// IdempotencyRepository on SQLite: Slack deliveries already handled, and the run each led to.
// A claim inserts first (ON CONFLICT DO NOTHING RETURNING): the key's primary key decides who
// wins, not a read before the write.
import { and, inArray, isNull } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { IdempotencyClaim, IdempotencyRepository } from '../../ports.ts';
import type { Orm } from '../database.ts';

export class SqliteIdempotencyRepository implements IdempotencyRepository {
  constructor(private readonly orm: Orm) {}

  async claim(keys: string[], now: number): Promise<IdempotencyClaim> {
    const wanted = [...new Set(keys)];
    if (wanted.length === 0) return { claimed: true };
    const inserted = new Set(
      this.orm
        .insert(t.idempotencyKeys)
        .values(wanted.map((key) => ({ key, runId: null, createdAt: now })))
        .onConflictDoNothing()
        .returning({ key: t.idempotencyKeys.key })
        .all()
        .map((r) => r.key),
    );
    if (inserted.size === wanted.length) return { claimed: true };
    const known = new Map(
      this.orm
        .select({ key: t.idempotencyKeys.key, runId: t.idempotencyKeys.runId })
        .from(t.idempotencyKeys)
        .where(
          inArray(
            t.idempotencyKeys.key,
            wanted.filter((k) => !inserted.has(k)),
          ),
        )
        .all()
        .map((r) => [r.key, r.runId]),
    );
    const runId = wanted.map((k) => known.get(k)).find((r) => r !== undefined && r !== null) ?? null;
    if (runId !== null && inserted.size > 0) await this.attach([...inserted], runId);
    return { claimed: false, runId };
  }

  async attach(keys: string[], runId: string): Promise<void> {
    if (keys.length === 0) return;
    this.orm
      .update(t.idempotencyKeys)
      .set({ runId })
      .where(and(inArray(t.idempotencyKeys.key, keys), isNull(t.idempotencyKeys.runId)))
      .run();
  }

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
}
