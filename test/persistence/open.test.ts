// The storage factory the composition roots call: DATABASE_URL picks the backend; one it
// cannot use stops the bot at start with one line and exit code 1.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabase, openStore } from '../../src/persistence/open.ts';
import { tempDbPath } from '../support/engine.ts';
import { describePostgres, freshPostgresDatabase } from '../support/postgres.ts';
import { REPO_DIR, type Spawned, spawnProcess, TSX_LOADER } from '../support/spawned.ts';

describe('openStore', () => {
  it('when DATABASE_URL is a file path or :memory:, then a migrated SQLite store opens there', async () => {
    const path = tempDbPath('open');
    for (const [url, location] of [
      [path, path],
      [`file:${path}`, path],
      [':memory:', ':memory:'],
    ] as const) {
      const store = await openStore(url);
      expect(store.location).toBe(location);
      expect(await store.read.runs.count()).toBe(0);
      await store.close();
    }
  });

  it('when DATABASE_URL names another server, then it is refused with a clear message; backup refuses PostgreSQL', async () => {
    for (const url of ['postgres://pl:secret@db/pl', 'postgresql://db/pl']) {
      await expect(backupDatabase(url, join(tmpdir(), 'x.sqlite'))).rejects.toMatchObject({
        code: 'database_unsupported',
        message: expect.stringMatching(/pg_dump/),
      });
    }
    await expect(openStore('mysql://db/pl')).rejects.toThrow(/mysql:\/\/ is not a database/);
  });

  describePostgres('on PostgreSQL', () => {
    it('when DATABASE_URL is a postgres:// or postgresql:// URL, then a migrated PostgreSQL store opens there, its password kept out of its location', async () => {
      const url = await freshPostgresDatabase();
      for (const u of [url, url.replace(/^postgres:/, 'postgresql:')]) {
        const withPassword = u.replace('//postgres@', '//postgres:hunter2@');
        const store = await openStore(withPassword);
        expect(store.location).not.toContain('hunter2');
        expect(await store.read.runs.count()).toBe(0);
        await store.close();
      }
    });
  });

  describe('the bot', () => {
    let bot: Spawned | undefined;
    afterEach(() => {
      bot?.child.kill('SIGKILL');
      bot = undefined;
    });

    it('when started with a postgres:// DATABASE_URL no server answers, then it stops at once with exit code 1 and one line', async () => {
      bot = spawnProcess(process.execPath, ['--import', TSX_LOADER, join(REPO_DIR, 'src/main.ts')], {
        cwd: mkdtempSync(join(tmpdir(), 'projectlead-pg-')),
        env: {
          SLACK_BOT_TOKEN: 'xoxb-x',
          SLACK_SIGNING_SECRET: 's',
          DATABASE_URL: 'postgres://pl:secret@127.0.0.1:9/pl',
          PORT: '0',
        },
      });
      const { code } = await bot.exited;
      expect(code).toBe(1);
      expect(bot.lines.filter(Boolean)).toEqual([
        'projectlead: DATABASE_URL: PostgreSQL at postgres://pl:***@127.0.0.1:9/pl: connect ECONNREFUSED 127.0.0.1:9',
      ]);
    });
  });
});
