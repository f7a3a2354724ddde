// UsergroupRepository on SQLite: the cached members of Slack user groups.
import { eq } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { UsergroupRepository } from '../../ports.ts';
import type { Orm } from '../database.ts';
import { statements } from '../table-codec.ts';

const SQL = {
  groupsOf:
    'SELECT "group_id" AS g FROM "usergroup_members" WHERE EXISTS (SELECT 1 FROM json_each("members") WHERE value = ?)',
};

export class SqliteUsergroupRepository implements UsergroupRepository {
  constructor(private readonly orm: Orm) {}

  async set(groupId: string, members: string[], now: number): Promise<void> {
    this.orm
      .insert(t.usergroupMembers)
      .values({ groupId, members, refreshedAt: now })
      .onConflictDoUpdate({ target: t.usergroupMembers.groupId, set: { members, refreshedAt: now } })
      .run();
  }

  async get(groupId: string) {
    const r = this.orm.select().from(t.usergroupMembers).where(eq(t.usergroupMembers.groupId, groupId)).get();
    return r ? { members: r.members, refreshedAt: r.refreshedAt } : null;
  }

  async groupsOf(userId: string): Promise<string[]> {
    return (statements(this.orm).get(SQL.groupsOf).all(userId) as { g: string }[]).map((r) => r.g);
  }
}
