// A PostgreSQL server for the tests, found or started by vitest's globalSetup
// (test/global-setup.ts): the one TEST_DATABASE_URL names, or else a throwaway server on this
// machine's PostgreSQL binaries (initdb, postgres) in a temporary folder, gone when the run ends.
// Without either, the tests on PostgreSQL are skipped and say so. Each test database is a copy
// of a template migrated once (CREATE DATABASE … TEMPLATE), so a fresh database costs little.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { migratePg } from '../../src/persistence/postgres/database.ts';

export const TEMPLATE_DB = 'projectlead_template';
/** Test databases share this prefix, so a run can drop what it made. */
export const TEST_DB_PREFIX = 'projectlead_t';

/** A URL like `base` naming another database on the same server. */
export function withDatabase(base: string, database: string): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The directory holding `initdb` and `postgres`: PATH, then Debian's /usr/lib/postgresql/N/bin. */
export function findPostgresBin(): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian))
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a)))
      dirs.push(join(debian, v, 'bin'));
  return dirs.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'postgres'))) ?? null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root needs a `postgres` user to run PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export interface RunningServer {
  /** A superuser URL to the `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

/** initdb in a temporary folder and start `postgres` there, tuned for tests (no fsync). */
export async function startThrowawayServer(bin: string): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'projectlead-pg-'));
  const data = join(dir, 'data');
  const user = serverUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    {
      stdio: 'ignore',
      ...as,
    },
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    join(bin, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      dir,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=400',
    ],
    { stdio: 'ignore', ...as },
  );
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForServer(url, exited);
  return {
    url,
    stop: async () => {
      child.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForServer(url: string, exited: Promise<void>): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  for (let i = 0; ; i++) {
    if (gone) throw new Error('the test PostgreSQL server stopped while starting');
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      await c.end();
      return;
    } catch (err) {
      await c.end().catch(() => undefined);
      if (i > 600) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Run one statement as the admin URL's user. */
export async function adminQuery(url: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

/** The template every test database is copied from: created and migrated once a run. */
export async function prepareTemplate(adminUrl: string): Promise<void> {
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await adminQuery(adminUrl, `CREATE DATABASE ${TEMPLATE_DB}`);
  const pool = new pg.Pool({ connectionString: withDatabase(adminUrl, TEMPLATE_DB), max: 1 });
  try {
    await migratePg(pool);
  } finally {
    await pool.end();
  }
}

/** Drop the databases the tests created (on a server the run did not start). */
export async function dropTestDatabases(adminUrl: string): Promise<void> {
  const { rows } = await adminQuery(
    adminUrl,
    `SELECT datname FROM pg_database WHERE datname LIKE '${TEST_DB_PREFIX}%' OR datname = '${TEMPLATE_DB}'`,
  );
  for (const r of rows as { datname: string }[])
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
}
