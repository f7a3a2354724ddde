// The PostgreSQL implementation of the `Store` port (ports.ts). A transaction borrows one
// connection from the pool for as long as its SQL runs and gives it back at COMMIT: services
// never call Slack inside one (the outbox sends after). Reads outside transactions take any
// free connection and see only what was committed. A serialization failure or a deadlock
// between replicas is a `ConflictError`, which the verbs retry (verb-transaction.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { ConflictError } from '../../errors.ts';
import { highestId, OutboxSignal, signallingOutbox } from '../outbox-signal.ts';
import { NestedTransactionError, type Repositories, type Store } from '../ports.ts';
import { openPgDatabase, type PgDatabaseHandle, type PgOrm, POOL_MAX } from './database.ts';
import { PgWorkerLiveness } from './liveness.ts';
import { pgRepositories } from './repositories/index.ts';

/** Transactions at once per process: the pool's connections but two, kept for reads. */
const TX_SLOTS = POOL_MAX - 2;

/** SQLSTATEs of a write that lost a race with another transaction and may simply be retried. */
const RETRYABLE = new Set(['40001', '40P01']);

/** The SQLSTATE of a driver error, drizzle's wrapper or not. */
export function sqlState(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 4; i++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

export class PgStore implements Store {
  readonly read: Repositories;
  readonly liveness: PgWorkerLiveness;
  private readonly inside: AsyncLocalStorage<{ open: boolean }> | null;

  constructor(
    readonly db: PgDatabaseHandle,
    options: { checkNesting?: boolean } = {},
  ) {
    this.inside = options.checkNesting ? new AsyncLocalStorage() : null;
    this.read = pgRepositories(db.orm, db.pool);
    this.liveness = new PgWorkerLiveness(db.url, db.pool);
  }

  /** Transactions started and not yet ended: `close` lets them finish first. */
  private readonly underWay = new Set<Promise<unknown>>();

  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    if (this.inside?.getStore()?.open) return Promise.reject(new NestedTransactionError());
    const done = this.run(fn);
    const settled = done.catch(() => undefined);
    this.underWay.add(settled);
    void settled.then(() => this.underWay.delete(settled));
    return done;
  }

  /**
   * Transactions beyond TX_SLOTS wait here, in order, not in the pool: a burst of requests
   * whose transactions queue on one row (a chain's run numbers) would otherwise hold every
   * connection, and reads and the outbox would time out waiting for one.
   */
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  private async slot(): Promise<() => void> {
    if (this.active >= TX_SLOTS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    return () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }

  private async run<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    const frame = { open: true };
    let outboxTop = 0;
    const release = await this.slot();
    try {
      const out = await this.inTransaction((client) => {
        const repos = signallingOutbox(pgRepositories(drizzle(client) as unknown as PgOrm, client), (ids) => {
          outboxTop = highestId(outboxTop, ids);
        });
        return this.inside ? this.inside.run(frame, () => fn(repos)) : fn(repos);
      });
      this.outboxSignal.committed(outboxTop);
      return out;
    } catch (err) {
      const state = sqlState(err);
      if (state && RETRYABLE.has(state))
        throw new ConflictError(
          'write_conflict',
          'Another process wrote the same rows at the same moment; try again.',
        );
      throw err;
    } finally {
      frame.open = false;
      release();
    }
  }

  private readonly outboxSignal = new OutboxSignal();

  onOutboxWrite(listener: () => void): () => void {
    return this.outboxSignal.subscribe(listener);
  }

  /**
   * BEGIN, the work, COMMIT on one connection of the pool; ROLLBACK when the work throws. A
   * connection whose ROLLBACK failed is broken: the pool drops it instead of lending it again.
   */
  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.db.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const out = await work(client);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e;
        });
        throw err;
      }
    } finally {
      client.release(broken);
    }
  }

  get location(): string {
    return this.db.location;
  }

  async close(): Promise<void> {
    while (this.underWay.size > 0) await Promise.all(this.underWay);
    await this.liveness.close();
    await this.db.close();
  }
}

/** A store on the PostgreSQL database at `url` (`postgres://…`), migrated. */
export async function openPgStore(url: string, options: { checkNesting?: boolean } = {}): Promise<PgStore> {
  return new PgStore(await openPgDatabase(url), options);
}
