// The one place the contract suite touches a storage implementation. Every contract file works
// on a `Backend`: it opens a fresh, migrated database and hands back the `Store` port: SQLite
// (a file, and in memory) and PostgreSQL (a fresh database on the run's server).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewTimer, Repositories, Store } from '../../../src/persistence/ports.ts';
import { openPgDatabase } from '../../../src/persistence/postgres/database.ts';
import { PgStore } from '../../../src/persistence/postgres/store.ts';
import { openDatabase } from '../../../src/persistence/sqlite/database.ts';
import { SqliteStore } from '../../../src/persistence/sqlite/store.ts';
import { freshPostgresDatabase } from '../../support/postgres.ts';

export type { NewTimer, Repositories, Store };

/** One connection to a database opened for a test. */
export interface Connection {
  store: Store;
  close(): Promise<void>;
}

export interface OpenedBackend extends Connection {
  /** Runs a statement outside the port, as an operator at a SQL prompt would. */
  exec(sql: string): Promise<void>;
  /**
   * Another connection to the same database, as a second process opens it; null when the
   * backend has a single connection (SQLite `:memory:`).
   */
  connect: (() => Promise<Connection>) | null;
}

/** Contract clauses a backend is known to break today: their tests run as `it.fails`. */
export type KnownBug = 'read-sees-uncommitted-writes';

export interface Backend {
  name: string;
  /** A fresh database with every migration applied and nothing in it. */
  open(): Promise<OpenedBackend>;
  knownBugs?: readonly KnownBug[];
}

// An in-memory database has one connection, serving both `read` and the transaction in flight:
// a read between two steps of an open transaction sees its writes before they commit (and
// after they roll back). A file database reads on a second connection.
const MEMORY_BUGS: readonly KnownBug[] = ['read-sees-uncommitted-writes'];

function sqliteConnection(url: string): Connection {
  // Checkpoints are SQLite's own here: a worker thread per test adds nothing to the contract.
  const store = new SqliteStore(openDatabase(url, { backgroundCheckpoints: false }), { checkNesting: true });
  return { store, close: () => store.close() };
}

/** A migrated database file in a fresh temporary folder; `connect` opens it again. */
export const sqliteFileBackend: Backend = {
  name: 'SQLite file',
  async open() {
    const path = join(mkdtempSync(join(tmpdir(), 'projectlead-contract-')), 'contract.sqlite');
    const first = sqliteConnection(path);
    const others: Connection[] = [];
    return {
      ...first,
      exec: async (sql) => void (first.store as SqliteStore).db.sqlite.exec(sql),
      connect: async () => {
        const other = sqliteConnection(path);
        others.push(other);
        return other;
      },
      close: async () => {
        for (const o of others) await o.close();
        await first.close();
      },
    };
  },
};

/** An in-memory database: one connection, so no second process. */
export const sqliteMemoryBackend: Backend = {
  name: 'SQLite :memory:',
  knownBugs: MEMORY_BUGS,
  async open() {
    const only = sqliteConnection(':memory:');
    return {
      ...only,
      exec: async (sql) => void (only.store as SqliteStore).db.sqlite.exec(sql),
      connect: null,
    };
  },
};

export const sqliteBackends: Backend[] = [sqliteFileBackend, sqliteMemoryBackend];

async function pgConnection(url: string): Promise<Connection & { store: PgStore }> {
  const store = new PgStore(await openPgDatabase(url), { checkNesting: true });
  return { store, close: () => store.close() };
}

/** A fresh database on the run's PostgreSQL server; `connect` opens another pool on it. */
export const postgresBackend: Backend = {
  name: 'PostgreSQL',
  async open() {
    const url = await freshPostgresDatabase();
    const first = await pgConnection(url);
    const others: Connection[] = [];
    return {
      ...first,
      exec: async (sql) => void (await first.store.db.pool.query(sql)),
      connect: async () => {
        const other = await pgConnection(url);
        others.push(other);
        return other;
      },
      close: async () => {
        for (const o of others) await o.close();
        await first.close();
      },
    };
  },
};
