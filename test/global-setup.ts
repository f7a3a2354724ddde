// vitest's globalSetup: a PostgreSQL server for the tests that need one (see
// test/support/postgres-server.ts). TEST_DATABASE_URL (a superuser URL; `.ci/run` sets it)
// names one; otherwise PostgreSQL's binaries on this machine start a throwaway server; with
// neither, the PostgreSQL tests are skipped (test/support/postgres.ts says so once).
import type { TestProject } from 'vitest/node';
import {
  dropTestDatabases,
  findPostgresBin,
  prepareTemplate,
  type RunningServer,
  startThrowawayServer,
} from './support/postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL to the tests' PostgreSQL server, or '' when there is none. */
    postgresUrl: string;
    /** Why there is no server, when there is none. */
    postgresMissing: string;
  }
}

export default async function setup(project: TestProject) {
  let server: RunningServer | null = null;
  let url = process.env.TEST_DATABASE_URL ?? '';
  let missing = '';
  if (!url && process.env.TEST_POSTGRES !== 'off') {
    const bin = findPostgresBin();
    if (bin) {
      server = await startThrowawayServer(bin);
      url = server.url;
    } else missing = 'no TEST_DATABASE_URL and no PostgreSQL binaries (initdb, postgres) on this machine';
  } else if (!url) missing = 'TEST_POSTGRES=off';
  if (url) await prepareTemplate(url);
  project.provide('postgresUrl', url);
  project.provide('postgresMissing', missing);
  return async () => {
    if (server) await server.stop();
    else if (url) await dropTestDatabases(url);
  };
}
