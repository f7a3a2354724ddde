// RoleRepository on SQLite: who holds each role.
import { eq } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { RoleRepository } from '../../ports.ts';
import type { Orm } from '../database.ts';
import { statements } from '../table-codec.ts';

const SQL = {
  allRoles: 'SELECT "role", "members" FROM "role_holders"',
};

export class SqliteRoleRepository implements RoleRepository {
  constructor(private readonly orm: Orm) {}

  async all(): Promise<Map<string, string[]>> {
    const rows = statements(this.orm).get(SQL.allRoles).all() as { role: string; members: string }[];
    return new Map(rows.map((r) => [r.role, JSON.parse(r.members) as string[]]));
  }

  async get(role: string): Promise<string[] | null> {
    return this.orm.select().from(t.roleHolders).where(eq(t.roleHolders.role, role)).get()?.members ?? null;
  }

  async set(role: string, members: string[], by: string, now: number): Promise<void> {
    this.orm
      .insert(t.roleHolders)
      .values({ role, members, updatedAt: now, updatedBy: by })
      .onConflictDoUpdate({ target: t.roleHolders.role, set: { members, updatedAt: now, updatedBy: by } })
      .run();
  }

  async seed(defaults: Map<string, string[]>, now: number): Promise<void> {
    for (const [role, members] of defaults) {
      this.orm
        .insert(t.roleHolders)
        .values({ role, members, updatedAt: now, updatedBy: 'roles.yml' })
        .onConflictDoNothing()
        .run();
    }
  }
}
