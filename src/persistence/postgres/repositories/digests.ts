// DigestRepository on PostgreSQL: one claim per digest period, ever (the period's primary key).
import { and, desc, eq, isNotNull } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.pg.ts';
import type { DigestRepository } from '../../ports.ts';
import type { PgOrm } from '../database.ts';

export class PgDigestRepository implements DigestRepository {
  constructor(private readonly orm: PgOrm) {}

  async claim(periodKey: string, kind: string, worker: string, now: number): Promise<boolean> {
    const res = await this.orm
      .insert(t.digests)
      .values({ periodKey, kind, claimedBy: worker, claimedAt: now })
      .onConflictDoNothing();
    return res.rowCount === 1;
  }

  async markPosted(periodKey: string, outboxId: number | null, now: number): Promise<void> {
    await this.orm
      .update(t.digests)
      .set({ postedAt: now, outboxId })
      .where(eq(t.digests.periodKey, periodKey));
  }

  async last(kind: string) {
    const [row] = await this.orm
      .select({
        periodKey: t.digests.periodKey,
        claimedAt: t.digests.claimedAt,
        postedAt: t.digests.postedAt,
      })
      .from(t.digests)
      .where(and(eq(t.digests.kind, kind), isNotNull(t.digests.claimedAt)))
      .orderBy(desc(t.digests.claimedAt))
      .limit(1);
    return row ?? null;
  }
}
