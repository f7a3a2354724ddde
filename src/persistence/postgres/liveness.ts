// Which outbox senders are alive, as PostgreSQL sees them: each process holds one session-level
// advisory lock per sender it runs, on a connection of its own (outside the pool) for as long
// as it lives. A process that dies, on any machine, loses its connection and with it its locks
// at once, so other replicas take its leased rows within seconds instead of after the lease.
// Every sender on PostgreSQL registers before it claims anything, so a lease holder without a
// lock is gone; only ids a sender makes (`host:pid:nonce`, worker-identity.ts) are judged, any
// other holder keeps its lease until the lease ends.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { WorkerLiveness } from '../ports.ts';

/** The first key of every sender's lock (the second is a hash of its id). */
const NAMESPACE = 0x504c; // "PL"

/** The ids senders make (`newWorkerId`): host, PID, nonce. */
const SENDER_ID = /^.+:\d+:[0-9a-f]+$/;

/** A sender's lock key: 32 bits of its id's hash, as pg_locks shows it (an unsigned oid). */
const keyOf = (workerId: string) => createHash('sha256').update(workerId).digest().readUInt32BE(0);

export class PgWorkerLiveness implements WorkerLiveness {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly held = new Set<string>();
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
  ) {}

  private connection(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.url, application_name: 'projectlead-liveness' });
      await client.connect();
      // A dropped connection dropped our locks: take them again on a new one.
      client.on('error', () => undefined);
      client.on('end', () => {
        this.client = null;
        this.connecting = null;
        if (!this.closed && this.held.size > 0) void this.relock();
      });
      this.client = client;
      return client;
    })().catch((err) => {
      this.connecting = null;
      throw err;
    });
    return this.connecting;
  }

  private async relock(): Promise<void> {
    try {
      const client = await this.connection();
      for (const id of this.held)
        await client.query('SELECT pg_advisory_lock($1, $2)', [NAMESPACE, keyOf(id) | 0]);
    } catch {
      // The server is away: the next register or close tries again.
    }
  }

  async register(workerId: string): Promise<void> {
    if (this.held.has(workerId)) return;
    const client = await this.connection();
    await client.query('SELECT pg_advisory_lock($1, $2)', [NAMESPACE, keyOf(workerId) | 0]);
    this.held.add(workerId);
  }

  async gone(workerIds: string[]): Promise<string[]> {
    if (workerIds.length === 0) return [];
    const { rows } = await this.pool.query<{ key: number }>(
      `SELECT objid::bigint AS key FROM pg_locks
        WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2 AND granted`,
      [NAMESPACE],
    );
    const alive = new Set(rows.map((r) => Number(r.key)));
    return workerIds.filter((id) => SENDER_ID.test(id) && !alive.has(keyOf(id)));
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (this.connecting ? await this.connecting.catch(() => null) : null);
    await client?.end().catch(() => undefined);
  }
}
