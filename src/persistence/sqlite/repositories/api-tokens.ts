// ApiTokenRepository on SQLite: API and MCP bearer tokens, kept by the hash of their secret.
import { and, asc, eq, isNull, lt, or } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { ApiToken, ApiTokenKind, ApiTokenRepository } from '../../ports.ts';
import { toToken } from '../../rows.ts';
import type { Orm } from '../database.ts';
import { statements, TableCodec } from '../table-codec.ts';

const codec = new TableCodec<typeof t.apiTokens.$inferSelect>(t.apiTokens);
// Asked on every API and MCP request: prepared once per connection.
const BY_HASH = 'SELECT * FROM "api_tokens" WHERE "token_hash" = ? AND "revoked_at" IS NULL';

/** A use is recorded at most this often per token: `tokens list` needs no finer time. */
const TOUCH_EVERY_MS = 60_000;

export class SqliteApiTokenRepository implements ApiTokenRepository {
  constructor(private readonly orm: Orm) {}

  async insert(
    tk: { name: string; tokenHash: string; userId: string | null; kind: ApiTokenKind },
    now: number,
  ): Promise<number> {
    const row = this.orm
      .insert(t.apiTokens)
      .values({ ...tk, createdAt: now })
      .returning({ id: t.apiTokens.id })
      .get();
    return row.id;
  }

  async byHash(tokenHash: string): Promise<ApiToken | null> {
    const raw = statements(this.orm).get(BY_HASH).get(tokenHash) as Record<string, unknown> | undefined;
    return raw ? toToken(codec.decode(raw)) : null;
  }

  async list(): Promise<ApiToken[]> {
    return this.orm
      .select()
      .from(t.apiTokens)
      .where(isNull(t.apiTokens.revokedAt))
      .orderBy(asc(t.apiTokens.id))
      .all()
      .map(toToken);
  }

  async revoke(name: string, now: number): Promise<number> {
    return this.orm
      .update(t.apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(t.apiTokens.name, name), isNull(t.apiTokens.revokedAt)))
      .run().changes;
  }

  async touch(id: number, now: number): Promise<void> {
    this.orm
      .update(t.apiTokens)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(t.apiTokens.id, id),
          or(isNull(t.apiTokens.lastUsedAt), lt(t.apiTokens.lastUsedAt, now - TOUCH_EVERY_MS)),
        ),
      )
      .run();
  }
}
