// A consistent copy of the SQLite database while the bot runs, with SQLite's online backup API
// (better-sqlite3's `db.backup()`): every page copied in one step, inside one read transaction,
// so the copy is the database as of one commit, whatever other connections write meanwhile (in
// WAL mode readers never block the bot's writers). The copy is written beside the target,
// checked, made a single self-contained file (no -wal), then renamed over the target: a failed
// backup never leaves a half-written file where the backup should be.
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ValidationError } from '../../errors.ts';
import { databasePath } from './database.ts';

export interface BackupResult {
  source: string;
  target: string;
  pages: number;
  bytes: number;
}

/** As many pages as one step may copy: the whole database at once. */
const ALL_PAGES = 0x7fffffff;

export async function backupDatabase(databaseUrl: string, targetFile: string): Promise<BackupResult> {
  const source = databasePath(databaseUrl);
  if (source === ':memory:')
    throw new ValidationError('backup_memory', 'An in-memory database has nothing to back up.');
  if (!existsSync(source))
    throw new ValidationError('backup_no_database', `There is no database at ${source}.`);
  const target = resolve(targetFile);
  if (target === source)
    throw new ValidationError('backup_same_file', 'The backup cannot be the database itself.');
  if (!existsSync(dirname(target)))
    throw new ValidationError('backup_no_folder', `The folder ${dirname(target)} does not exist.`);
  const partial = `${target}.partial-${process.pid}`;
  const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const progress = await db.backup(partial, { progress: () => ALL_PAGES });
    const copy = new BetterSqlite3(partial);
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy fails SQLite's check: ${String(check)}`);
      // One self-contained file: no -wal or -shm beside it.
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    renameSync(partial, target);
    return { source, target, pages: progress.totalPages, bytes: statSync(target).size };
  } catch (err) {
    for (const f of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`])
      rmSync(f, { force: true });
    throw err;
  } finally {
    db.close();
  }
}
