// PendingRequestRepository on SQLite: requests waiting for the requester to pick a chain.
import { and, eq, isNull } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { PendingRequest, PendingRequestRepository } from '../../ports.ts';
import type { Orm } from '../database.ts';

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
