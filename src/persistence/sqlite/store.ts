// The SQLite implementation of the `Store` port (ports.ts). Write transactions run on one
// connection, queued in this process and serialized across processes by SQLite's write lock.
// Reads outside transactions run on a second connection (a file in WAL mode), so they see only
// what was committed; an in-memory database has one connection for both (see database.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import { highestId, OutboxSignal, signallingOutbox } from '../outbox-signal.ts';
import { NestedTransactionError, type Repositories, type Store } from '../ports.ts';
import { type Database, type OpenOptions, openDatabase, openReadConnection } from './database.ts';
import { sqliteRepositories } from './repositories/index.ts';

const BEGIN_TIMEOUT_MS = 10_000;

export class SqliteStore implements Store {
  readonly read: Repositories;
  private readonly write: Repositories;
  private readonly reader: Database | null;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly outboxSignal = new OutboxSignal();
  /** The highest outbox id the running transaction's enqueues were handed (0: none). */
  private outboxTop = 0;
  /**
   * The transaction the running code is inside of, while it is open; only with `checkNesting`:
   * AsyncLocalStorage makes every promise of the process dearer (about 10% of the engine's
   * transitions a second on Node 20), so the bot leaves the check to the tests.
   */
  private readonly inside: AsyncLocalStorage<{ open: boolean }> | null;

  constructor(
    readonly db: Database,
    options: { checkNesting?: boolean } = {},
  ) {
    this.inside = options.checkNesting ? new AsyncLocalStorage() : null;
    // Transactions wait for the write lock in `begin`; a statement never waits inside SQLite.
    db.sqlite.pragma('busy_timeout = 0');
    // Transactions run one at a time here: one number says which messages the running one wrote.
    this.write = signallingOutbox(sqliteRepositories(db.orm), (ids) => {
      this.outboxTop = highestId(this.outboxTop, ids);
    });
    this.reader = openReadConnection(db);
    this.read = this.reader ? sqliteRepositories(this.reader.orm) : this.write;
  }

  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    // Nested, it would queue behind the transaction that awaits it: refuse instead of hanging.
    if (this.inside?.getStore()?.open) return Promise.reject(new NestedTransactionError());
    // One connection, one transaction at a time: callers queue here. BEGIN IMMEDIATE takes the
    // write lock at once, so two processes on one file serialize instead of failing to upgrade.
    const run = async (): Promise<T> => {
      const sqlite = this.db.sqlite;
      const pause = this.db.beforeWrite();
      if (pause) await pause;
      await this.begin();
      this.outboxTop = 0;
      const frame = { open: true };
      try {
        const result = this.inside
          ? await this.inside.run(frame, () => fn(this.write))
          : await fn(this.write);
        sqlite.exec('COMMIT');
        this.outboxSignal.committed(this.outboxTop);
        return result;
      } catch (err) {
        if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
        throw err;
      } finally {
        // Work the transaction started and left running may start its own transactions later.
        frame.open = false;
      }
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * BEGIN IMMEDIATE without blocking the event loop: when another connection holds the write
   * lock, wait asynchronously and try again (SQLite's own busy wait would freeze the process).
   */
  private async begin(): Promise<void> {
    const deadline = Date.now() + BEGIN_TIMEOUT_MS;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      try {
        this.db.sqlite.exec('BEGIN IMMEDIATE');
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  onOutboxWrite(listener: () => void): () => void {
    return this.outboxSignal.subscribe(listener);
  }

  get location(): string {
    return this.db.path;
  }

  async close(): Promise<void> {
    await this.tail;
    this.reader?.close();
    this.db.close();
  }
}

/** A store on the SQLite database at `url` (a file path, a `file:` URL or `:memory:`). */
export function openSqliteStore(url: string, options: OpenOptions = {}): SqliteStore {
  return new SqliteStore(openDatabase(url, options));
}
