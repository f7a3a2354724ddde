// WebhookRepository on SQLite: webhook subscriptions, active or paused.
import { and, asc, eq } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { WebhookRepository, WebhookSubscription } from '../../ports.ts';
import { toSubscription } from '../../rows.ts';
import type { Orm } from '../database.ts';
import { statements, TableCodec } from '../table-codec.ts';

const codec = new TableCodec<typeof t.webhookSubscriptions.$inferSelect>(t.webhookSubscriptions);
// Asked on every transition and every delivery: prepared once per connection.
const SQL = {
  get: 'SELECT * FROM "webhook_subscriptions" WHERE "id" = ?',
  active: `SELECT * FROM "webhook_subscriptions" WHERE "status" = 'active' ORDER BY "id"`,
};

export class SqliteWebhookRepository implements WebhookRepository {
  constructor(private readonly orm: Orm) {}

  async insert(
    s: { url: string; secret: string; userId: string | null; owner: string | null },
    now: number,
  ): Promise<number> {
    return this.orm
      .insert(t.webhookSubscriptions)
      .values({ ...s, status: 'active', createdAt: now })
      .returning({ id: t.webhookSubscriptions.id })
      .get().id;
  }

  async get(id: number): Promise<WebhookSubscription | null> {
    const raw = statements(this.orm).get(SQL.get).get(id) as Record<string, unknown> | undefined;
    return raw ? toSubscription(codec.decode(raw)) : null;
  }

  async list(): Promise<WebhookSubscription[]> {
    return this.orm
      .select()
      .from(t.webhookSubscriptions)
      .orderBy(asc(t.webhookSubscriptions.id))
      .all()
      .map(toSubscription);
  }

  async active(): Promise<WebhookSubscription[]> {
    return (statements(this.orm).get(SQL.active).all() as Record<string, unknown>[]).map((raw) =>
      toSubscription(codec.decode(raw)),
    );
  }

  async remove(id: number): Promise<boolean> {
    return (
      this.orm.delete(t.webhookSubscriptions).where(eq(t.webhookSubscriptions.id, id)).run().changes === 1
    );
  }

  async pause(id: number, error: string, now: number): Promise<boolean> {
    return (
      this.orm
        .update(t.webhookSubscriptions)
        .set({ status: 'paused', pausedAt: now, lastError: error })
        .where(and(eq(t.webhookSubscriptions.id, id), eq(t.webhookSubscriptions.status, 'active')))
        .run().changes === 1
    );
  }

  async resume(id: number): Promise<boolean> {
    return (
      this.orm
        .update(t.webhookSubscriptions)
        .set({ status: 'active', pausedAt: null, lastError: null })
        .where(and(eq(t.webhookSubscriptions.id, id), eq(t.webhookSubscriptions.status, 'paused')))
        .run().changes === 1
    );
  }
}
