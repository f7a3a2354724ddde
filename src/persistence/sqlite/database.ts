// Opening the embedded SQLite database: folder created, WAL mode, migrations applied.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from '../../../drizzle/schema.ts';
import { BACKSTOP_PAGES, type Checkpointer, startCheckpointer } from './checkpointer.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

export type Orm = BetterSQLite3Database<typeof schema> & { $client: BetterSqlite3.Database };

export interface Database {
  sqlite: BetterSqlite3.Database;
  orm: Orm;
  /** The file path, or `:memory:`. */
  path: string;
  /** Wait for this, when not null, before a write transaction (see checkpointer.ts). */
  beforeWrite(): Promise<void> | null;
  close(): void;
}

/** `./data/x.sqlite`, `/abs/x.sqlite`, `file:./x.sqlite`, `file:///abs/x.sqlite` or `:memory:`. */
export function databasePath(url: string): string {
  if (url === ':memory:' || url === 'file::memory:') return ':memory:';
  if (url.startsWith('file://')) return fileURLToPath(url.split('?')[0]!);
  if (url.startsWith('file:')) return resolve(url.slice('file:'.length).split('?')[0]!);
  return resolve(url);
}

export interface OpenOptions {
  migrate?: boolean;
  readonly?: boolean;
  /** Checkpoint the WAL in a worker thread (default for a writable file); false: SQLite's own. */
  backgroundCheckpoints?: boolean;
}

export function openDatabase(url: string, options: OpenOptions = {}): Database {
  const path = databasePath(url);
  if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path, {
    readonly: options.readonly ?? false,
    fileMustExist: options.readonly ?? false,
  });
  if (path !== ':memory:' && !options.readonly) sqlite.pragma('journal_mode = WAL');
  // Another process (a second replica, the CLI) may hold the write lock for a moment.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const orm = drizzle(sqlite, { schema });
  if (options.migrate !== false && !options.readonly) migrateDatabase(orm);
  // Checkpoints run in a worker thread, not inside a request's COMMIT (see checkpointer.ts).
  let checkpointer: Checkpointer | undefined;
  if (path !== ':memory:' && !options.readonly && options.backgroundCheckpoints !== false) {
    sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    checkpointer = startCheckpointer(path);
  }
  return {
    sqlite,
    orm,
    path,
    beforeWrite: () => checkpointer?.beforeWrite() ?? null,
    close: () => {
      checkpointer?.close();
      if (sqlite.open) sqlite.close();
    },
  };
}

/**
 * A second connection to a WAL file database, for the store's reads outside transactions: it
 * sees what was committed, never the writes of a transaction still open on the first one, and
 * refuses writes of its own. Null where a second connection cannot do that: `:memory:` (it
 * would be another, empty database), a read-only database, or one not in WAL mode (a reader
 * would block the writer).
 */
export function openReadConnection(db: Database): Database | null {
  if (db.path === ':memory:' || db.sqlite.readonly) return null;
  if (db.sqlite.pragma('journal_mode', { simple: true }) !== 'wal') return null;
  const sqlite = new BetterSqlite3(db.path, { fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('query_only = ON');
  return {
    sqlite,
    orm: drizzle(sqlite, { schema }),
    path: db.path,
    beforeWrite: () => null,
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}

export function migrateDatabase(orm: Orm): void {
  try {
    migrate(orm, { migrationsFolder: MIGRATIONS_DIR });
  } catch (err) {
    // Two processes starting on one file: the other applied the migration between our read of
    // the journal and our write. Reading it again finds nothing left to do.
    if (!/already exists/i.test(String((err as Error).message ?? err))) throw err;
    migrate(orm, { migrationsFolder: MIGRATIONS_DIR });
  }
}
