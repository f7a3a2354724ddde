// PostgreSQL for a test: a fresh database copied from the migrated template on the run's
// server (test/global-setup.ts), or a skip when the run has no server.
import { randomUUID } from 'node:crypto';
import { describe, inject } from 'vitest';
import { adminQuery, TEMPLATE_DB, TEST_DB_PREFIX, withDatabase } from './postgres-server.ts';

/** The superuser URL of the run's PostgreSQL server, or null when there is none. */
export function postgresAdminUrl(): string | null {
  return inject('postgresUrl') || null;
}

/** `describe` on PostgreSQL, skipped (with the reason in its name) when the run has no server. */
export function describePostgres(name: string, fn: () => void) {
  const url = postgresAdminUrl();
  if (url) describe(name, fn);
  else describe.skip(`${name} (skipped: ${inject('postgresMissing')})`, fn);
}

/** A new, migrated, empty database; its URL. */
export async function freshPostgresDatabase(): Promise<string> {
  const admin = postgresAdminUrl();
  if (!admin) throw new Error('no PostgreSQL server for this test run');
  const name = `${TEST_DB_PREFIX}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await adminQuery(admin, `CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  return withDatabase(admin, name);
}

/** A new database with nothing in it, not even the schema (for migration and copy tests). */
export async function emptyPostgresDatabase(): Promise<string> {
  const admin = postgresAdminUrl();
  if (!admin) throw new Error('no PostgreSQL server for this test run');
  const name = `${TEST_DB_PREFIX}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await adminQuery(admin, `CREATE DATABASE ${name}`);
  return withDatabase(admin, name);
}
