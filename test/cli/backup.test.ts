// `projectlead backup <file>`: a consistent copy of the SQLite database, taken while another
// process writes to it (as the bot does).
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/persistence/sqlite/database.ts';
import { cli } from '../support/cli.ts';
import { createTestEngine, tempDbPath } from '../support/engine.ts';
import { REPO_DIR, type Spawned, spawnProcess } from '../support/spawned.ts';

// Another process writing without pause: each transaction adds the two halves of a pair of
// events. A copy taken at one commit holds whole pairs only.
const WRITER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('busy_timeout = 5000');
// Its commits stay in the WAL: a copy of the main file alone would miss them.
db.pragma('wal_autocheckpoint = 0');
const add = db.prepare("insert into events (run_id, at, actor, type, step_key, data) values (null, ?, 'UWRITER', 'backup_probe', null, ?)");
const pair = db.transaction((i) => {
  add.run(i, JSON.stringify({ pair: i, half: 1 }));
  add.run(i, JSON.stringify({ pair: i, half: 2 }));
});
let n = 0;
(function loop() {
  for (let k = 0; k < 50; k++) pair(n++);
  if (n === 500) console.log('writing');
  setImmediate(loop);
})();
`;

let writer: Spawned | undefined;
afterEach(async () => {
  if (writer && writer.child.exitCode === null) writer.child.kill('SIGKILL');
  if (writer) await writer.exited;
  writer = undefined;
});

const probes = (db: BetterSqlite3.Database) =>
  db.prepare("select data from events where type = 'backup_probe'").all() as { data: string }[];

describe('projectlead backup', () => {
  it('when another process writes all along, then the copy is one consistent moment: whole transactions, everything committed before it, a valid database', async () => {
    const path = tempDbPath('live');
    const e = await createTestEngine({ path });
    // Enough pages that a copy made in several steps would straddle commits.
    for (let i = 0; i < 40; i++) {
      await e.runs.startRun({
        chain: 'feature',
        title: `Feature ${i}`,
        text: `Feature ${i} ${'x'.repeat(2000)}`,
        requester: 'UREQ',
        channelId: 'C1',
      });
    }
    await e.close();
    // Nothing checkpoints now: what the writer commits is in the WAL alone.
    const reader = new BetterSqlite3(path, { readonly: true });
    writer = spawnProcess(process.execPath, ['-e', WRITER, path], { cwd: REPO_DIR, env: {} });
    await writer.line(/writing/, 'the writer writing');
    const committedBefore = probes(reader).length;
    const target = join(mkdtempSync(join(tmpdir(), 'projectlead-backup-')), 'copy.sqlite');

    const { code, out, err } = await cli(['backup', target], { DATABASE_URL: path });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^Backed up .* to .*copy\.sqlite \(\d+ pages, \d+ bytes\)\.\n$/);
    const committedAfter = probes(reader).length;
    reader.close();
    expect(committedAfter).toBeGreaterThan(committedBefore);

    // One file, nothing beside it.
    expect(readdirSync(join(target, '..'))).toEqual(['copy.sqlite']);
    const copy = new BetterSqlite3(target, { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const halves = new Map<number, number>();
    for (const { data } of probes(copy)) {
      const { pair } = JSON.parse(data) as { pair: number };
      halves.set(pair, (halves.get(pair) ?? 0) + 1);
    }
    copy.close();
    expect([...halves.values()].every((n) => n === 2)).toBe(true);
    expect(halves.size * 2).toBeGreaterThanOrEqual(committedBefore);
    expect(halves.size * 2).toBeLessThanOrEqual(committedAfter);

    // The copy is a working ProjectLead database: it opens, is fully migrated, holds the runs.
    const restored = openDatabase(target, { backgroundCheckpoints: false });
    const runs = restored.sqlite.prepare('select count(*) as n from runs').get() as { n: number };
    restored.close();
    expect(runs.n).toBe(40);
  });

  it.each([
    [
      'the database does not exist',
      (dir: string) => ({ db: join(dir, 'none.sqlite'), to: join(dir, 'b.sqlite') }),
      /There is no database at/,
    ],
    [
      'the target folder does not exist',
      (dir: string) => ({ db: '', to: join(dir, 'missing', 'b.sqlite') }),
      /does not exist/,
    ],
    [
      'the target is the database itself',
      (_dir: string) => ({ db: '', to: '' }),
      /cannot be the database itself/,
    ],
  ])('when %s, then it says so with exit code 1 and writes nothing', async (_what, paths, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'projectlead-backup-'));
    const live = tempDbPath('bad');
    (await createTestEngine({ path: live })).close();
    const p = paths(dir);
    const db = p.db || live;
    const to = p.to || live;
    const before = readdirSync(dir);
    const { code, err } = await cli(['backup', to], { DATABASE_URL: db });
    expect(code).toBe(1);
    expect(err).toMatch(message);
    expect(readdirSync(dir)).toEqual(before);
    expect(existsSync(join(dir, 'none.sqlite'))).toBe(false);
  });

  it('when no file is given, then it shows its usage', async () => {
    expect((await cli(['backup'], { DATABASE_URL: tempDbPath('u') })).code).toBe(2);
  });
});
