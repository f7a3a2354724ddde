// A real engine on a real, migrated database, with an injected clock: SQLite (in memory, or the
// file `path` names), or with TEST_BACKEND=postgres a fresh PostgreSQL database on the run's
// server (test/support/postgres.ts), so the service suites run on either backend.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadChains, loadPlaybooks } from '../../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../../routing/roles.ts';
import { createActors } from '../../src/core/actor.ts';
import type { Actor } from '../../src/domain/types.ts';
import type { Store } from '../../src/persistence/ports.ts';
import { openPgDatabase } from '../../src/persistence/postgres/database.ts';
import { PgStore } from '../../src/persistence/postgres/store.ts';
import { type Database, openDatabase } from '../../src/persistence/sqlite/database.ts';
import { SqliteStore } from '../../src/persistence/sqlite/store.ts';
import { createRoleService } from '../../src/services/role-service.ts';
import { createRunService, type TransitionHook } from '../../src/services/run-service.ts';
import { freshPostgresDatabase } from './postgres.ts';

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

/**
 * Rows of a query on the store's own database, SQLite or PostgreSQL (written with `?`
 * parameters), for tests that look at rows the port does not list. JSON comes back parsed.
 */
export async function queryRows<T extends Record<string, unknown>>(
  store: Store,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (store instanceof PgStore) {
    let n = 0;
    return (
      await store.db.pool.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      )
    ).rows as T[];
  }
  return sqliteOf(store)
    .prepare(sql)
    .all(...params)
    .map((row) => {
      const out: Record<string, unknown> = { ...(row as Record<string, unknown>) };
      for (const [k, v] of Object.entries(out))
        if (typeof v === 'string' && /^[[{]/.test(v)) {
          try {
            out[k] = JSON.parse(v);
          } catch {
            // Text that only looks like JSON.
          }
        }
      return out as T;
    });
}

export class TestClock {
  constructor(public ms = Date.UTC(2026, 10, 2, 9, 0, 0)) {}
  now = () => this.ms;
  advance(ms: number) {
    this.ms += ms;
  }
}

/** The backend tests run on when they do not name one: TEST_BACKEND=postgres, else SQLite. */
export const testBackend = (): 'sqlite' | 'postgres' =>
  process.env.TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

/** A fresh database URL for a process under test: a SQLite file, or a PostgreSQL database. */
export async function testDatabaseUrl(name = 'test'): Promise<string> {
  return testBackend() === 'postgres' ? freshPostgresDatabase() : tempDbPath(name);
}

/** A store on a fresh database of the tests' backend, nesting checked (a URL: another connection to it). */
export async function openTestStore(url?: string): Promise<{ store: Store; db: Database | null }> {
  if (url === undefined && testBackend() === 'sqlite') url = ':memory:';
  if (url === undefined || /^postgres(ql)?:/.test(url)) {
    const store = new PgStore(await openPgDatabase(url ?? (await freshPostgresDatabase())), {
      checkNesting: true,
    });
    return { store, db: null };
  }
  const db = openDatabase(url);
  return { store: new SqliteStore(db, { checkNesting: true }), db };
}

/** What a PostgreSQL engine has for `db`: reading SQLite through it says what went wrong. */
const NOT_SQLITE = {
  get sqlite(): never {
    throw new Error('this test reads SQLite itself: create its engine with { sqlite: true }');
  },
} as unknown as Database;

export async function createTestEngine(
  opts: {
    path?: string;
    clock?: TestClock;
    hooks?: TransitionHook[];
    holders?: boolean;
    /** The test reads the SQLite database itself (`db`): SQLite whatever TEST_BACKEND says. */
    sqlite?: boolean;
    /** Playbook folders (default: the six built-in chains). */
    dirs?: string[];
  } = {},
) {
  const opened = await openTestStore(opts.path ?? (opts.sqlite ? ':memory:' : undefined));
  const { store } = opened;
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
  return {
    /** The SQLite database under the store (only a SQLite engine has one: see NOT_SQLITE). */
    db: opened.db ?? NOT_SQLITE,
    store,
    directory,
    playbooks,
    clock,
    runs,
    roles,
    as,
    close: () => store.close(),
  };
}

export type TestEngine = Awaited<ReturnType<typeof createTestEngine>>;
