// SettingsRepository on SQLite: what the bot records about itself.
import { eq } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { SettingsRepository } from '../../ports.ts';
import type { Orm } from '../database.ts';

export class SqliteSettingsRepository implements SettingsRepository {
  constructor(private readonly orm: Orm) {}

  async get(key: string): Promise<string | null> {
    return this.orm.select().from(t.settings).where(eq(t.settings.key, key)).get()?.value ?? null;
  }

  async set(key: string, value: string, now: number): Promise<void> {
    this.orm
      .insert(t.settings)
      .values({ key, value, updatedAt: now })
      .onConflictDoUpdate({ target: t.settings.key, set: { value, updatedAt: now } })
      .run();
  }

  async installedAt(now: number): Promise<number> {
    const known = await this.get('installed_at');
    if (known !== null) return Number(known);
    const earliest = this.orm.$client
      .prepare(
        `SELECT min(m) AS at FROM (SELECT min("created_at") AS m FROM "runs"
           UNION ALL SELECT min("at") FROM "events" UNION ALL SELECT min("claimed_at") FROM "digests")`,
      )
      .get() as { at: number | null };
    const at = Math.min(now, earliest.at ?? now);
    // Another process may have recorded it first: the first record stands.
    this.orm
      .insert(t.settings)
      .values({ key: 'installed_at', value: String(at), updatedAt: now })
      .onConflictDoNothing()
      .run();
    return Number((await this.get('installed_at')) ?? at);
  }
}
