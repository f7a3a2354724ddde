import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  START_CHECK_EVERY,
  START_WAL_BYTES,
  startCheckpointer,
} from '../../src/persistence/sqlite/checkpointer.ts';
import { openDatabase } from '../../src/persistence/sqlite/database.ts';
import { SqliteStore } from '../../src/persistence/sqlite/store.ts';
import { tempDbPath } from '../support/engine.ts';

const turn = () => new Promise((r) => setImmediate(r));

describe('WAL checkpoints in a worker thread', () => {
  it('when writes stream in, then the WAL is checkpointed and rewound off the event loop and stays far below the backstop, with every write kept', async () => {
    const path = tempDbPath('checkpoint');
    const db = openDatabase(path);
    const store = new SqliteStore(db);
    expect(db.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    // ~3 pages a write, 12,000 frames in all: past the writer's own backstop (10,000 pages),
    // which would leave a WAL file of at least that many pages had the worker done nothing.
    const blob = 'x'.repeat(12_000);
    const n = 4000;
    for (let i = 0; i < n; i++) {
      await store.transaction(async () => {
        db.sqlite.prepare('insert into sequences (name, value) values (?, 1)').run(`k${i}:${blob}`);
      });
      await turn();
      // A busy machine may starve the worker thread: give it a moment now and then, as the gaps
      // between Slack requests do.
      if (i % 200 === 199) await new Promise((r) => setTimeout(r, 30));
    }
    expect(statSync(`${path}-wal`).size / 4096).toBeLessThan(9000);
    expect((db.sqlite.prepare('select count(*) n from sequences').get() as { n: number }).n).toBe(n);
    await store.close();
    const again = openDatabase(path, { backgroundCheckpoints: false });
    expect((again.sqlite.prepare('select count(*) n from sequences').get() as { n: number }).n).toBe(n);
    again.close();
  });

  it('when the database is in memory or opened read-only, then no worker is started and SQLite checkpoints as usual', () => {
    const mem = openDatabase(':memory:');
    expect(mem.beforeWrite()).toBeNull();
    mem.close();
    const path = tempDbPath('checkpoint-ro');
    openDatabase(path, { backgroundCheckpoints: false }).close();
    const ro = openDatabase(path, { readonly: true });
    expect(ro.beforeWrite()).toBeNull();
    ro.close();
  });

  it('when the database is at rest, then no worker runs until the WAL grows', async () => {
    const path = tempDbPath('checkpoint-lazy');
    const db = openDatabase(path);
    const store = new SqliteStore(db);
    const checkpointer = startCheckpointer(path);
    // Write transactions that change nothing (the outbox's and the timers' idle claims).
    for (let i = 0; i < START_CHECK_EVERY * 4; i++) {
      checkpointer.beforeWrite();
      await store.transaction(async () => undefined);
    }
    expect(checkpointer.started).toBe(false);
    const blob = 'x'.repeat(12_000);
    for (let i = 0; !checkpointer.started && i < 1000; i++) {
      checkpointer.beforeWrite();
      await store.transaction(async () => {
        db.sqlite.prepare('insert into sequences (name, value) values (?, 1)').run(`k${i}:${blob}`);
      });
    }
    expect(checkpointer.started).toBe(true);
    expect(statSync(`${path}-wal`).size).toBeLessThan(START_WAL_BYTES * 2);
    checkpointer.close();
    await store.close();
  });
});
