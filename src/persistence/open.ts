// The one place that picks the storage backend from DATABASE_URL, for the composition roots
// (the bot's core, the CLI): SQLite for a file path, a `file:` URL or `:memory:`. A server
// database (postgres://) gets its adapter behind these same functions; until then it is refused
// at start with one clear line.
import { ConfigError } from '../errors.ts';
import type { Store } from './ports.ts';
import { type BackupResult, backupDatabase as backupSqlite } from './sqlite/backup.ts';
import { openSqliteStore } from './sqlite/store.ts';

export type { BackupResult };

/** The backend a DATABASE_URL names; throws for one ProjectLead cannot use. */
function requireSqlite(databaseUrl: string): void {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(databaseUrl)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') return;
  if (scheme === 'postgres' || scheme === 'postgresql')
    throw new ConfigError(
      'database_unsupported',
      'DATABASE_URL: PostgreSQL is not supported yet; use a SQLite file path (./data/projectlead.sqlite).',
    );
  throw new ConfigError(
    'database_unsupported',
    `DATABASE_URL: ${scheme}:// is not a database ProjectLead can use; use a SQLite file path (./data/projectlead.sqlite).`,
  );
}

/** Open the database DATABASE_URL names, migrated to the current schema. */
export async function openStore(databaseUrl: string): Promise<Store> {
  requireSqlite(databaseUrl);
  return openSqliteStore(databaseUrl);
}

/** A consistent copy of the database while the bot runs (`projectlead backup`). */
export async function backupDatabase(databaseUrl: string, targetFile: string): Promise<BackupResult> {
  requireSqlite(databaseUrl);
  return backupSqlite(databaseUrl, targetFile);
}
