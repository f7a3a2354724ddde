// RoleRepository on SQLite: who holds each role.
import { eq } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { RoleRepository } from '../../ports.ts';
import type { Orm } from '../database.ts';
import { statements } from '../table-codec.ts';

const SQL = {
  /** Every role's members as one JSON object: one value to read, not two per role. */
  allRoles: 'SELECT json_group_object("role", json("members")) FROM "role_holders"',
};

export class SqliteRoleRepository implements RoleRepository {
  constructor(private readonly orm: Orm) {}

  async all(): Promise<Map<string, string[]>> {
    const json = statements(this.orm).get(SQL.allRoles).pluck().get() as string;
    return new Map(Object.entries(JSON.parse(json) as Record<string, string[]>));
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
