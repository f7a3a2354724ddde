// The small key-value repositories on PostgreSQL: role holders, cached user-group members and
// what the bot records about itself.
import { eq, sql } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.pg.ts';
import type { RoleRepository, SettingsRepository, UsergroupRepository } from '../../ports.ts';
import type { PgOrm } from '../database.ts';
import { type PgQueryable, query, statement } from '../statements.ts';

const ROLES = statement('roles_all', `SELECT "role", "members" FROM "role_holders"`);
const GROUPS_OF = statement(
  'usergroups_of',
  `SELECT "group_id" AS "g" FROM "usergroup_members" WHERE "members" @> $1::jsonb`,
);

export class PgRoleRepository implements RoleRepository {
  constructor(
    private readonly orm: PgOrm,
    private readonly db: PgQueryable,
  ) {}

  async all(): Promise<Map<string, string[]>> {
    const res = await query<{ role: string; members: string[] }>(this.db, ROLES, []);
    return new Map(res.rows.map((r) => [r.role, r.members]));
  }

  async get(role: string): Promise<string[] | null> {
    const [row] = await this.orm.select().from(t.roleHolders).where(eq(t.roleHolders.role, role));
    return row?.members ?? null;
  }

  async set(role: string, members: string[], by: string, now: number): Promise<void> {
    await this.orm
      .insert(t.roleHolders)
      .values({ role, members, updatedAt: now, updatedBy: by })
      .onConflictDoUpdate({ target: t.roleHolders.role, set: { members, updatedAt: now, updatedBy: by } });
  }

  async seed(defaults: Map<string, string[]>, now: number): Promise<void> {
    if (defaults.size === 0) return;
    await this.orm
      .insert(t.roleHolders)
      .values(
        [...defaults].map(([role, members]) => ({ role, members, updatedAt: now, updatedBy: 'roles.yml' })),
      )
      .onConflictDoNothing();
  }
}

export class PgUsergroupRepository implements UsergroupRepository {
  constructor(
    private readonly orm: PgOrm,
    private readonly db: PgQueryable,
  ) {}

  async set(groupId: string, members: string[], now: number): Promise<void> {
    await this.orm
      .insert(t.usergroupMembers)
      .values({ groupId, members, refreshedAt: now })
      .onConflictDoUpdate({ target: t.usergroupMembers.groupId, set: { members, refreshedAt: now } });
  }

  async get(groupId: string) {
    const [r] = await this.orm
      .select()
      .from(t.usergroupMembers)
      .where(eq(t.usergroupMembers.groupId, groupId));
    return r ? { members: r.members, refreshedAt: r.refreshedAt } : null;
  }

  async groupsOf(userId: string): Promise<string[]> {
    const res = await query<{ g: string }>(this.db, GROUPS_OF, [JSON.stringify([userId])]);
    return res.rows.map((r) => r.g);
  }
}

export class PgSettingsRepository implements SettingsRepository {
  constructor(private readonly orm: PgOrm) {}

  async get(key: string): Promise<string | null> {
    const [row] = await this.orm.select().from(t.settings).where(eq(t.settings.key, key));
    return row?.value ?? null;
  }

  async set(key: string, value: string, now: number): Promise<void> {
    await this.orm
      .insert(t.settings)
      .values({ key, value, updatedAt: now })
      .onConflictDoUpdate({ target: t.settings.key, set: { value, updatedAt: now } });
  }

  async installedAt(now: number): Promise<number> {
    const known = await this.get('installed_at');
    if (known !== null) return Number(known);
    const res = await this.orm.execute<{ at: number | null }>(
      sql`SELECT least((SELECT min("created_at") FROM "runs"), (SELECT min("at") FROM "events"),
            (SELECT min("claimed_at") FROM "digests")) AS at`,
    );
    const earliest = res.rows[0]?.at ?? null;
    const at = Math.min(now, earliest ?? now);
    // Another process may have recorded it first: the first record stands.
    await this.orm
      .insert(t.settings)
      .values({ key: 'installed_at', value: String(at), updatedAt: now })
      .onConflictDoNothing();
    return Number((await this.get('installed_at')) ?? at);
  }
}
