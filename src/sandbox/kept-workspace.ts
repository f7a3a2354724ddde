// The sandbox's Slack workspace, kept beside its database. The stand-in holds its messages in
// memory: without this, a restart would show the database's runs with none of their messages,
// and the bot's updates to those messages would fail. Written a moment after each change and at
// close, read at start. The sandbox's clock is kept too, so it never goes back over a restart:
// what the page moved forward stays moved, as the timers in the database expect.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from '../logger.ts';
import { backendOf } from '../persistence/open.ts';
import { databasePath } from '../persistence/sqlite/database.ts';
import type { FakeSlack, WorkspaceSnapshot } from '../slack-standin/fake-slack.ts';

/** How long after a change the workspace is written (changes come in bursts). */
const KEEP_DELAY_MS = 250;

interface KeptWorkspace {
  snapshot: WorkspaceSnapshot;
  /** The sandbox's clock when it was written. */
  now: number;
}

/** Where the workspace of a sandbox on this database is kept: beside a SQLite file; null otherwise. */
function keptWorkspaceFile(databaseUrl: string): string | null {
  if (backendOf(databaseUrl) !== 'sqlite') return null;
  const path = databasePath(databaseUrl);
  return path === ':memory:' ? null : `${path}.slack.json`;
}

/** The kept workspace, or null when there is none yet; one the sandbox did not write is an error. */
function readKeptWorkspace(file: string): KeptWorkspace | null {
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
function writeKeptWorkspace(file: string, kept: KeptWorkspace): void {
  const next = `${file}.next`;
  writeFileSync(next, JSON.stringify(kept));
  renameSync(next, file);
}

export interface WorkspaceKeeper {
  /** Something changed that the stand-in does not see (the clock moved): write it soon. */
  soon(): void;
  /** Stop listening and write what there is now. */
  close(): void;
}

/**
 * The workspace kept for this database, put back into the stand-in and the clock (which never
 * goes back), then kept: written KEEP_DELAY_MS after each change and at close. Off a SQLite file
 * there is nothing to keep. Throws, having changed nothing, for a kept file it did not write.
 */
export function keepWorkspace(
  databaseUrl: string,
  standin: FakeSlack,
  clock: { now(): number; advance(ms: number): void },
  logger: Logger,
): WorkspaceKeeper {
  const file = keptWorkspaceFile(databaseUrl);
  if (!file) return { soon: () => undefined, close: () => undefined };
  const kept = readKeptWorkspace(file);
  if (kept) {
    standin.restore(kept.snapshot);
    if (kept.now > clock.now()) clock.advance(kept.now - clock.now());
  }
  const write = () => {
    try {
      writeKeptWorkspace(file, { snapshot: standin.snapshot(), now: clock.now() });
    } catch (err) {
      logger.error('sandbox: the workspace could not be kept', { file, error: String(err) });
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const soon = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      write();
    }, KEEP_DELAY_MS);
  };
  const off = standin.onChange(soon);
  return {
    soon,
    close() {
      off();
      clearTimeout(timer);
      write();
    },
  };
}
