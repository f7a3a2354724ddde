// The sandbox's Slack workspace, kept beside its database. The stand-in holds its messages in
// memory: without this, a restart would show the database's runs with none of their messages,
// and the bot's updates to those messages would fail. Written a moment after each change and at
// close, read at start. The sandbox's clock is kept too, so it never goes back over a restart:
// what the page moved forward stays moved, as the timers in the database expect.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { backendOf } from '../persistence/open.ts';
import { databasePath } from '../persistence/sqlite/database.ts';
import type { WorkspaceSnapshot } from '../slack-standin/fake-slack.ts';

export interface KeptWorkspace {
  snapshot: WorkspaceSnapshot;
  /** The sandbox's clock when it was written. */
  now: number;
}

/** Where the workspace of a sandbox on this database is kept: beside a SQLite file; null otherwise. */
export function keptWorkspaceFile(databaseUrl: string): string | null {
  if (backendOf(databaseUrl) !== 'sqlite') return null;
  const path = databasePath(databaseUrl);
  return path === ':memory:' ? null : `${path}.slack.json`;
}

/** The kept workspace, or null when there is none yet; one the sandbox did not write is an error. */
export function readKeptWorkspace(file: string): KeptWorkspace | null {
  if (!existsSync(file)) return null;
  let kept: Partial<KeptWorkspace> | null = null;
  try {
    kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<KeptWorkspace>;
  } catch {
    // Reported below, as any other file the sandbox did not write.
  }
  const s = kept?.snapshot;
  if (
    !kept ||
    typeof kept.now !== 'number' ||
    s?.version !== 1 ||
    !Array.isArray(s.messages) ||
    !Array.isArray(s.ephemerals) ||
    !Array.isArray(s.dms)
  )
    throw new Error(
      `${file} is not a workspace the sandbox wrote; move it away (or delete it and the database to start over).`,
    );
  return kept as KeptWorkspace;
}

/** Written whole to a new file, then moved over the old one: a crash leaves one or the other. */
export function writeKeptWorkspace(file: string, kept: KeptWorkspace): void {
  const next = `${file}.next`;
  writeFileSync(next, JSON.stringify(kept));
  renameSync(next, file);
}
