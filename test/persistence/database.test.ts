import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databasePath, openDatabase } from '../../src/persistence/database.ts';
import { createTestEngine, tempDbPath } from '../support/engine.ts';

describe('the database', () => {
  it('when DATABASE_URL names a file in a missing folder, then the folder is created, WAL is on and migrations ran', () => {
    const path = join(dirname(tempDbPath()), 'deeper', 'pl.sqlite');
    const db = openDatabase(`file:${path}`);
    expect(existsSync(path)).toBe(true);
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db.sqlite.prepare("select name from sqlite_master where type = 'table'").all() as {
      name: string;
    }[];
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['runs', 'steps', 'events', 'outbox', 'timers', 'digests']),
    );
    db.close();
    // Opening again applies nothing twice.
    openDatabase(path).close();
  });

  it.each([
    ['./data/x.sqlite', /\/data\/x\.sqlite$/],
    ['file:./data/x.sqlite', /\/data\/x\.sqlite$/],
    ['file:///tmp/abs.sqlite', /^\/tmp\/abs\.sqlite$/],
    [':memory:', /^:memory:$/],
  ])('when DATABASE_URL is %s, then the path is resolved', (url, expected) => {
    expect(databasePath(url)).toMatch(expected);
  });

  it('when anything tries to change or delete an event, then the database refuses: the log is append-only', async () => {
    const e = await createTestEngine();
    await e.runs.startRun({ chain: 'bug', title: 'x', text: 'x', requester: 'UREQ' });
    expect(() => e.db.sqlite.exec("update events set actor = 'UEVIL'")).toThrow(/append-only/);
    expect(() => e.db.sqlite.exec('delete from events')).toThrow(/append-only/);
    await e.close();
  });
});

describe('the outbox claim', () => {
  it('when a sender skips a channel it must pace, then only other destinations are claimed, run messages by their run’s channel', async () => {
    const e = await createTestEngine();
    const { run: busy } = await e.runs.startRun({
      chain: 'bug',
      title: 'a',
      text: 'a',
      requester: 'UREQ',
      channelId: 'CBUSY',
    });
    const { run: other } = await e.runs.startRun({
      chain: 'bug',
      title: 'b',
      text: 'b',
      requester: 'UREQ',
      channelId: 'COTHER',
    });
    const claimed = await e.store.transaction((r) =>
      r.outbox.claimDue(e.clock.ms, 100, 'w', 60_000, ['CBUSY']),
    );
    expect(new Set(claimed.map((row) => row.runId))).toEqual(new Set([other.id]));
    const rest = await e.store.transaction((r) => r.outbox.claimDue(e.clock.ms, 100, 'w', 60_000));
    expect(new Set(rest.map((row) => row.runId))).toEqual(new Set([busy.id]));
    await e.close();
  });
});
