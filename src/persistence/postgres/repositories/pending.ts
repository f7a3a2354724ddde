// Classifier follow-ups on PostgreSQL: requests waiting for the requester to pick a chain, and
// the chains requesters picked over the classifier's.
import { and, asc, eq, isNull } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.pg.ts';
import type { CorrectionRepository, PendingRequest, PendingRequestRepository } from '../../ports.ts';
import type { PgOrm } from '../database.ts';

export class PgPendingRequestRepository implements PendingRequestRepository {
  constructor(private readonly orm: PgOrm) {}

  async insert(p: Omit<PendingRequest, 'id' | 'resolvedRunId'>): Promise<number> {
    const [row] = await this.orm.insert(t.pendingRequests).values(p).returning({ id: t.pendingRequests.id });
    return row!.id;
  }

  async get(id: number): Promise<PendingRequest | null> {
    const [row] = await this.orm.select().from(t.pendingRequests).where(eq(t.pendingRequests.id, id));
    return row ?? null;
  }

  async resolve(id: number, runId: string): Promise<boolean> {
    const res = await this.orm
      .update(t.pendingRequests)
      .set({ resolvedRunId: runId })
      .where(and(eq(t.pendingRequests.id, id), isNull(t.pendingRequests.resolvedRunId)));
    return res.rowCount === 1;
  }
}

export class PgCorrectionRepository implements CorrectionRepository {
  constructor(private readonly orm: PgOrm) {}

  async insert(c: {
    text: string;
    chain: string;
    predicted: string | null;
    actor: string | null;
    createdAt: number;
  }) {
    await this.orm.insert(t.classifierCorrections).values(c);
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
      .orderBy(asc(t.classifierCorrections.id));
  }
}
