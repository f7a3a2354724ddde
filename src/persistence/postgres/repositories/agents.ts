// The agents' repositories on PostgreSQL: API tokens (kept by the hash of their secret), the
// answers kept for `Idempotency-Key`s (a claim inserts first: the primary key decides which
// request acts), and webhook subscriptions, active or paused.
import { and, asc, eq, isNull, lt, or } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.pg.ts';
import type {
  ApiRequestRecord,
  ApiRequestRepository,
  ApiToken,
  ApiTokenKind,
  ApiTokenRepository,
  WebhookRepository,
  WebhookSubscription,
} from '../../ports.ts';
import { toSubscription, toToken } from '../../rows.ts';
import type { PgOrm } from '../database.ts';

/** A use is recorded at most this often per token: `tokens list` needs no finer time. */
const TOUCH_EVERY_MS = 60_000;

export class PgApiTokenRepository implements ApiTokenRepository {
  constructor(private readonly orm: PgOrm) {}

  async insert(
    tk: { name: string; tokenHash: string; userId: string | null; kind: ApiTokenKind },
    now: number,
  ): Promise<number> {
    const [row] = await this.orm
      .insert(t.apiTokens)
      .values({ ...tk, createdAt: now })
      .returning({ id: t.apiTokens.id });
    return row!.id;
  }

  async byHash(tokenHash: string): Promise<ApiToken | null> {
    const [row] = await this.orm
      .select()
      .from(t.apiTokens)
      .where(and(eq(t.apiTokens.tokenHash, tokenHash), isNull(t.apiTokens.revokedAt)));
    return row ? toToken(row) : null;
  }

  async list(): Promise<ApiToken[]> {
    const rows = await this.orm
      .select()
      .from(t.apiTokens)
      .where(isNull(t.apiTokens.revokedAt))
      .orderBy(asc(t.apiTokens.id));
    return rows.map(toToken);
  }

  async revoke(name: string, now: number): Promise<number> {
    const rows = await this.orm
      .update(t.apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(t.apiTokens.name, name), isNull(t.apiTokens.revokedAt)))
      .returning({ id: t.apiTokens.id });
    return rows.length;
  }

  async touch(id: number, now: number): Promise<void> {
    await this.orm
      .update(t.apiTokens)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(t.apiTokens.id, id),
          or(isNull(t.apiTokens.lastUsedAt), lt(t.apiTokens.lastUsedAt, now - TOUCH_EVERY_MS)),
        ),
      );
  }
}

export class PgApiRequestRepository implements ApiRequestRepository {
  constructor(private readonly orm: PgOrm) {}

  async claim(
    tokenId: number,
    key: string,
    fingerprint: string,
    now: number,
  ): Promise<ApiRequestRecord | null> {
    const inserted = await this.orm
      .insert(t.apiRequests)
      .values({ tokenId, key, fingerprint, createdAt: now })
      .onConflictDoNothing()
      .returning({ key: t.apiRequests.key });
    if (inserted.length === 1) return null;
    const [r] = await this.orm
      .select()
      .from(t.apiRequests)
      .where(and(eq(t.apiRequests.tokenId, tokenId), eq(t.apiRequests.key, key)));
    if (!r) return null;
    return { fingerprint: r.fingerprint, status: r.status, body: r.body ?? null, createdAt: r.createdAt };
  }

  async complete(tokenId: number, key: string, status: number, body: unknown): Promise<void> {
    await this.orm
      .update(t.apiRequests)
      .set({ status, body })
      .where(and(eq(t.apiRequests.tokenId, tokenId), eq(t.apiRequests.key, key)));
  }

  async release(tokenId: number, key: string): Promise<void> {
    await this.orm
      .delete(t.apiRequests)
      .where(and(eq(t.apiRequests.tokenId, tokenId), eq(t.apiRequests.key, key)));
  }

  async purge(before: number): Promise<number> {
    const rows = await this.orm
      .delete(t.apiRequests)
      .where(lt(t.apiRequests.createdAt, before))
      .returning({ key: t.apiRequests.key });
    return rows.length;
  }
}

export class PgWebhookRepository implements WebhookRepository {
  constructor(private readonly orm: PgOrm) {}

  async insert(
    s: { url: string; secret: string; userId: string | null; owner: string | null },
    now: number,
  ): Promise<number> {
    const [row] = await this.orm
      .insert(t.webhookSubscriptions)
      .values({ ...s, status: 'active', createdAt: now })
      .returning({ id: t.webhookSubscriptions.id });
    return row!.id;
  }

  async get(id: number): Promise<WebhookSubscription | null> {
    const [row] = await this.orm
      .select()
      .from(t.webhookSubscriptions)
      .where(eq(t.webhookSubscriptions.id, id));
    return row ? toSubscription(row) : null;
  }

  async list(): Promise<WebhookSubscription[]> {
    const rows = await this.orm.select().from(t.webhookSubscriptions).orderBy(asc(t.webhookSubscriptions.id));
    return rows.map(toSubscription);
  }

  async active(): Promise<WebhookSubscription[]> {
    const rows = await this.orm
      .select()
      .from(t.webhookSubscriptions)
      .where(eq(t.webhookSubscriptions.status, 'active'))
      .orderBy(asc(t.webhookSubscriptions.id));
    return rows.map(toSubscription);
  }

  async remove(id: number): Promise<boolean> {
    const rows = await this.orm
      .delete(t.webhookSubscriptions)
      .where(eq(t.webhookSubscriptions.id, id))
      .returning({ id: t.webhookSubscriptions.id });
    return rows.length === 1;
  }

  async pause(id: number, error: string, now: number): Promise<boolean> {
    const rows = await this.orm
      .update(t.webhookSubscriptions)
      .set({ status: 'paused', pausedAt: now, lastError: error })
      .where(and(eq(t.webhookSubscriptions.id, id), eq(t.webhookSubscriptions.status, 'active')))
      .returning({ id: t.webhookSubscriptions.id });
    return rows.length === 1;
  }

  async resume(id: number): Promise<boolean> {
    const rows = await this.orm
      .update(t.webhookSubscriptions)
      .set({ status: 'active', pausedAt: null, lastError: null })
      .where(and(eq(t.webhookSubscriptions.id, id), eq(t.webhookSubscriptions.status, 'paused')))
      .returning({ id: t.webhookSubscriptions.id });
    return rows.length === 1;
  }
}
