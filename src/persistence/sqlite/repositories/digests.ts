// DigestRepository on SQLite: one claim per digest period, ever.
import { and, desc, eq, isNotNull } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { DigestRepository } from '../../ports.ts';
import type { Orm } from '../database.ts';

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
