// Opening a PostgreSQL database: a pool of connections, numbers read back as numbers, and the
// migrations in migrations-pg/ applied under an advisory lock, so replicas starting together
// migrate once (the others wait on the lock, then find nothing left to do).
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase, type NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from '../../../drizzle/schema.pg.ts';
import { ConfigError } from '../../errors.ts';

export const PG_MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations-pg', import.meta.url));

/** The advisory lock key migrations run under (any constant every replica shares). */
export const MIGRATION_LOCK_KEY = 4_711_015_001;

/**
 * The pool: ten connections a process (a transaction holds one only while it runs SQL, never
 * across a Slack call), and a caller waits at most 10 s for one before its request fails.
 */
export const POOL_MAX = 10;
export const ACQUIRE_TIMEOUT_MS = 10_000;

/** The pool or a transaction: what repositories run their queries on. */
export type PgOrm = PgDatabase<NodePgQueryResultHKT, typeof schema>;

const INT8 = 20;
const NUMERIC = 1700;
/** `bigint` times and counts, and `numeric` averages, come back as JS numbers (not strings). */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export const isPostgresUrl = (url: string) => /^postgres(?:ql)?:\/\//i.test(url);

/** The URL without its password, for logs. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

export interface PgDatabaseHandle {
  pool: pg.Pool;
  orm: NodePgDatabase<typeof schema> & { $client: pg.Pool };
  location: string;
  /** The URL itself, for connections outside the pool (liveness.ts). */
  url: string;
  close(): Promise<void>;
}

export function openPool(url: string, max = POOL_MAX): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: ACQUIRE_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    types,
  });
  // An idle connection the server dropped: the pool discards it; the next query opens another.
  pool.on('error', () => undefined);
  return pool;
}

export async function openPgDatabase(
  url: string,
  options: { migrate?: boolean; max?: number } = {},
): Promise<PgDatabaseHandle> {
  const pool = openPool(url, options.max);
  try {
    if (options.migrate !== false) await migratePg(pool);
  } catch (err) {
    await pool.end();
    const cause = String((err as { cause?: unknown }).cause ?? (err as Error).message ?? err).split('\n')[0];
    throw new ConfigError(
      'database_unreachable',
      `DATABASE_URL: PostgreSQL at ${redactedUrl(url)}: ${cause}`,
    );
  }
  let closing: Promise<void> | null = null;
  return {
    pool,
    orm: drizzle(pool, { schema }),
    location: redactedUrl(url),
    url,
    // Transactions under way finish first: the pool ends each connection as it comes back.
    close: () => {
      closing ??= pool.end();
      return closing;
    },
  };
}

/**
 * Apply every migration not yet applied, under a session advisory lock: of replicas starting
 * together one migrates, the others wait and then find nothing to do.
 */
export async function migratePg(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client, { schema }), { migrationsFolder: PG_MIGRATIONS_DIR });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}
