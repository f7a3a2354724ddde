// ApiRequestRepository on SQLite: the answers kept for `Idempotency-Key`s. A claim inserts first
// (ON CONFLICT DO NOTHING): the primary key decides which request with a key acts.
import { and, eq, lt } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { ApiRequestRecord, ApiRequestRepository } from '../../ports.ts';
import type { Orm } from '../database.ts';

export class SqliteApiRequestRepository implements ApiRequestRepository {
  constructor(private readonly orm: Orm) {}

  async claim(
    tokenId: number,
    key: string,
    fingerprint: string,
    now: number,
  ): Promise<ApiRequestRecord | null> {
    const inserted = this.orm
      .insert(t.apiRequests)
      .values({ tokenId, key, fingerprint, createdAt: now })
      .onConflictDoNothing()
      .returning({ key: t.apiRequests.key })
      .all();
    if (inserted.length === 1) return null;
    const r = this.orm
      .select()
      .from(t.apiRequests)
      .where(and(eq(t.apiRequests.tokenId, tokenId), eq(t.apiRequests.key, key)))
      .get();
    if (!r) return null;
    return { fingerprint: r.fingerprint, status: r.status, body: r.body ?? null, createdAt: r.createdAt };
  }

  async complete(tokenId: number, key: string, status: number, body: unknown): Promise<void> {
    this.orm
      .update(t.apiRequests)
      .set({ status, body })
      .where(and(eq(t.apiRequests.tokenId, tokenId), eq(t.apiRequests.key, key)))
      .run();
  }

  async release(tokenId: number, key: string): Promise<void> {
    this.orm
      .delete(t.apiRequests)
      .where(and(eq(t.apiRequests.tokenId, tokenId), eq(t.apiRequests.key, key)))
      .run();
  }

  async purge(before: number): Promise<number> {
    return this.orm.delete(t.apiRequests).where(lt(t.apiRequests.createdAt, before)).run().changes;
  }
}
