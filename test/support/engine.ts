// A real engine on a real, migrated SQLite database, with an injected clock.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadChains, loadPlaybooks } from '../../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../../routing/roles.ts';
import { createActors } from '../../src/core/actor.ts';
import type { Actor } from '../../src/domain/types.ts';
import type { Store } from '../../src/persistence/ports.ts';
import { openDatabase } from '../../src/persistence/sqlite/database.ts';
import { SqliteStore } from '../../src/persistence/sqlite/store.ts';
import { createRoleService } from '../../src/services/role-service.ts';
import { createRunService, type TransitionHook } from '../../src/services/run-service.ts';

export const ADMIN = 'UADMIN';

/** Every role held by one user, named after the role (U + upper-case role name). */
export const userFor = (role: string) => `U${role.toUpperCase()}`;

export function tempDbPath(name = 'test'): string {
  return join(mkdtempSync(join(tmpdir(), 'projectlead-')), `${name}.sqlite`);
}

/** The SQLite connection under a store, for tests that look at the rows themselves. */
export function sqliteOf(store: Store) {
  if (!(store instanceof SqliteStore)) throw new Error('not a SQLite store');
  return store.db.sqlite;
}

export class TestClock {
  constructor(public ms = Date.UTC(2026, 10, 2, 9, 0, 0)) {}
  now = () => this.ms;
  advance(ms: number) {
    this.ms += ms;
  }
}

export async function createTestEngine(
  opts: {
    path?: string;
    clock?: TestClock;
    hooks?: TransitionHook[];
    holders?: boolean;
    /** Playbook folders (default: the six built-in chains). */
    dirs?: string[];
  } = {},
) {
  const db = openDatabase(opts.path ?? ':memory:');
  const store = new SqliteStore(db, { checkNesting: true });
  const { directory, playbooks } = opts.dirs
    ? loadChains(loadRoleDirectory(), opts.dirs)
    : {
        directory: loadRoleDirectory(),
        playbooks: loadPlaybooks({ knownRoles: new Set(loadRoleDirectory().names) }),
      };
  const clock = opts.clock ?? new TestClock();
  const adminUserIds = new Set([ADMIN]);
  const runs = createRunService({ store, playbooks, directory, clock: clock.now, hooks: opts.hooks });
  const roles = createRoleService({ store, directory, clock: clock.now });
  const actors = createActors({ store, directory, adminUserIds });
  /** The actor a surface would build for this user. */
  const as = (userId: string): Promise<Actor> => actors.resolve({ kind: 'slack_user', userId });
  await roles.seedDefaults();
  if (opts.holders !== false) {
    for (const role of directory.names) await roles.setRole(await as(ADMIN), role, [userFor(role)]);
  }
  return { db, store, directory, playbooks, clock, runs, roles, as, close: () => store.close() };
}

export type TestEngine = Awaited<ReturnType<typeof createTestEngine>>;
