// The one place that picks the storage backend from DATABASE_URL, for the composition roots
// (the bot's core, the CLI): SQLite for a file path, a `file:` URL or `:memory:`; PostgreSQL
// for `postgres://` or `postgresql://`. Anything else is refused at start with one clear line.
import { ConfigError } from '../errors.ts';
import type { Store } from './ports.ts';
import { openPgStore } from './postgres/store.ts';
import { type BackupResult, backupDatabase as backupSqlite } from './sqlite/backup.ts';
import { openSqliteStore } from './sqlite/store.ts';

export type { BackupResult };

export type Backend = 'sqlite' | 'postgres';

/** The backend a DATABASE_URL names; throws for one ProjectLead cannot use. */
export function backendOf(databaseUrl: string): Backend {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(databaseUrl)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') return 'sqlite';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  throw new ConfigError(
    'database_unsupported',
    `DATABASE_URL: ${scheme}:// is not a database ProjectLead can use; use a SQLite file path (./data/projectlead.sqlite) or a postgres:// URL.`,
  );
}

/** Open the database DATABASE_URL names, migrated to the current schema. */
export async function openStore(databaseUrl: string): Promise<Store> {
  return backendOf(databaseUrl) === 'postgres' ? openPgStore(databaseUrl) : openSqliteStore(databaseUrl);
}

/** A consistent copy of the database while the bot runs (`projectlead backup`). */
export async function backupDatabase(databaseUrl: string, targetFile: string): Promise<BackupResult> {
  if (backendOf(databaseUrl) === 'postgres')
    throw new ConfigError(
      'database_unsupported',
      'DATABASE_URL: backup copies a SQLite database; back PostgreSQL up with its own tools (pg_dump).',
    );
  return backupSqlite(databaseUrl, targetFile);
}
