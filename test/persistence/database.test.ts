import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/persistence/ports.ts';
import { databasePath, openDatabase } from '../../src/persistence/sqlite/database.ts';
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

describe('the outbox lease', () => {
  async function oneRow() {
    const e = await createTestEngine();
    await e.runs.startRun({ chain: 'bug', title: 'a', text: 'a', requester: 'UREQ', channelId: 'C1' });
    const claim = async (worker: string) =>
      (await e.store.transaction((r) => r.outbox.claimDue(e.clock.ms, 100, worker, 60_000))).map((r) => r.id);
    const as = <T>(fn: (o: Repositories['outbox']) => Promise<T>) => e.store.transaction((r) => fn(r.outbox));
    // The run's first message; the others stay claimed by 'a' longer than these tests run.
    const [id] = await claim('a');
    const row = async () => (await e.store.read.outbox.list()).find((r) => r.id === id)!;
    return { e, id: id!, claim, as, row };
  }

  it('when a sender’s lease ran out and another sender claimed the row, then the first can no longer mark it sent, failed or retried, nor hand it back', async () => {
    const { e, id, claim, as, row } = await oneRow();
    e.clock.advance(60_001);
    expect(await claim('b')).toContain(id);
    const now = e.clock.ms;

    expect(await as((o) => o.markSent(id, 'a', '1.000001', now))).toBe(false);
    expect(await as((o) => o.markFailed(id, 'a', 'channel_not_found', now))).toBe(false);
    expect(await as((o) => o.retryLater(id, 'a', now + 1000, 'http_500'))).toBe(false);
    expect(await as((o) => o.handBack(id, 'a', now + 1000, 'waiting: channel pacing'))).toBe(false);
    expect(await row()).toMatchObject({ status: 'pending', attempts: 0, lastError: null, resultTs: null });
    // Still the other sender's: not claimable until its lease runs out.
    expect(await claim('c')).not.toContain(id);

    expect(await as((o) => o.markSent(id, 'b', '2.000002', now))).toBe(true);
    expect(await row()).toMatchObject({ status: 'sent', resultTs: '2.000002', attempts: 1, lastError: null });
    await e.close();
  });

  it('when a row was sent or failed, then nothing puts it back to pending, not even its own sender', async () => {
    for (const settle of ['sent', 'failed'] as const) {
      const { e, id, as, row } = await oneRow();
      const now = e.clock.ms;
      const done =
        settle === 'sent'
          ? await as((o) => o.markSent(id, 'a', '1.000001', now))
          : await as((o) => o.markFailed(id, 'a', 'channel_not_found', now));
      expect(done).toBe(true);
      const before = await row();
      expect(await as((o) => o.retryLater(id, 'a', now + 1000, 'http_500'))).toBe(false);
      expect(await as((o) => o.handBack(id, 'a', now + 1000, 'waiting: channel pacing'))).toBe(false);
      expect(await as((o) => o.markSent(id, 'a', '3.000003', now))).toBe(false);
      expect(await as((o) => o.markFailed(id, 'a', 'channel_not_found', now))).toBe(false);
      expect(await row()).toEqual(before);
      expect(before.status).toBe(settle);
      await e.close();
    }
  });

  it('when the lease ran out but no other sender claimed the row, then its sender still records what happened', async () => {
    const { e, id, as, row } = await oneRow();
    e.clock.advance(60_001);
    expect(await as((o) => o.markSent(id, 'a', '1.000001', e.clock.ms))).toBe(true);
    expect(await row()).toMatchObject({ status: 'sent', resultTs: '1.000001', sentAt: e.clock.ms });
    await e.close();
  });

  it('when a row is handed back, then its attempts stay; when an attempt fails or sends it, they rise', async () => {
    const { e, id, claim, as, row } = await oneRow();
    const handBack = () => as((o) => o.handBack(id, 'a', e.clock.ms + 1000, 'waiting: channel pacing'));

    expect(await handBack()).toBe(true);
    expect(await row()).toMatchObject({
      status: 'pending',
      attempts: 0,
      lastError: 'waiting: channel pacing',
    });
    expect(await claim('a')).not.toContain(id);
    e.clock.advance(1000);
    expect(await claim('a')).toContain(id);
    expect(await as((o) => o.retryLater(id, 'a', e.clock.ms + 1000, 'http_500'))).toBe(true);
    expect(await row()).toMatchObject({ status: 'pending', attempts: 1, lastError: 'http_500' });

    for (let i = 0; i < 3; i++) {
      e.clock.advance(1000);
      expect(await claim('a')).toContain(id);
      expect(await handBack()).toBe(true);
    }
    expect((await row()).attempts).toBe(1);
    e.clock.advance(1000);
    expect(await claim('a')).toContain(id);
    expect(await as((o) => o.markSent(id, 'a', '1.000001', e.clock.ms))).toBe(true);
    expect(await row()).toMatchObject({ status: 'sent', attempts: 2 });
    await e.close();
  });
});
