// IdempotencyRepository on SQLite: Slack deliveries already handled, and the run each led to.
import { inArray } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { IdempotencyRepository } from '../../ports.ts';
import type { Orm } from '../database.ts';

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
