// The Store port's transactions: all of a transaction commits or none of it, the error that
// aborted it reaches the caller, a transaction started inside another is refused, and `read`
// sees what was committed, by this connection or another.
import { describe, expect, it } from 'vitest';
import { NestedTransactionError } from '../../../src/persistence/ports.ts';
import type { Backend, KnownBug, Store } from './backend.ts';
import { event, insertRuns, makeRun, rootUpdate, started, T0, useBackend } from './fixtures.ts';

/**
 * Writes through every repository in one transaction, then throws `abort` if given, so a
 * rollback can be checked everywhere at once. `written.pendingId` is known even then.
 */
function writeEverywhere(store: Store, tag: string, abort?: Error) {
  const written = { runId: `${tag}-1`, pendingId: -1 };
  const done = store.transaction(async (r) => {
    await r.runs.insert(makeRun(written.runId));
    await r.runs.nextSeq(tag);
    await r.events.append([event(written.runId, 'run_started', T0)]);
    await r.outbox.enqueue(
      [{ runId: written.runId, delivery: { kind: 'root' }, notice: started(written.runId) }],
      T0,
    );
    await r.roles.set(`Role${tag}`, ['U1'], 'UADMIN', T0);
    await r.usergroups.set(`S${tag}`, ['U1'], T0);
    await r.timers.schedule([{ runId: written.runId, stepId: null, kind: 'gdpr', dueAt: T0 }], T0);
    await r.digests.claim(`daily:${tag}`, 'daily', 'w1', T0);
    await r.idempotency.claim([`key-${tag}`], T0);
    await r.idempotency.attach([`key-${tag}`], written.runId);
    written.pendingId = await r.pending.insert({
      text: tag,
      requester: 'U1',
      channelId: null,
      threadTs: null,
      source: 'slash',
      classification: {},
      createdAt: T0,
    });
    await r.corrections.insert({ text: tag, chain: 'bug', predicted: null, actor: null, createdAt: T0 });
    if (abort) throw abort;
    return written.runId;
  });
  return { written, done };
}

/** What `writeEverywhere` left, as read outside any transaction. */
async function traces(store: Store, tag: string, pendingId: number) {
  const runId = `${tag}-1`;
  const r = store.read;
  return {
    run: (await r.runs.get(runId)) !== null,
    events: (await r.events.forRun(runId)).length,
    outbox: (await r.outbox.list({ runId })).length,
    role: await r.roles.get(`Role${tag}`),
    group: await r.usergroups.get(`S${tag}`),
    timers: (await r.timers.forRun(runId)).length,
    digest: await r.digests.last('daily'),
    key: await r.idempotency.seen([`key-${tag}`]),
    pending: await r.pending.get(pendingId),
    corrections: (await r.corrections.all()).length,
  };
}

export function describeStoreContract(backend: Backend) {
  describe(`store transactions (${backend.name})`, () => {
    const db = useBackend(backend);

    it('when a transaction returns, then everything it wrote is committed and its result returned', async () => {
      const { store } = db();
      const { written, done } = writeEverywhere(store, 'OK');
      expect(await done).toBe('OK-1');
      expect(await traces(store, 'OK', written.pendingId)).toEqual({
        run: true,
        events: 1,
        outbox: 1,
        role: ['U1'],
        group: { members: ['U1'], refreshedAt: T0 },
        timers: 1,
        digest: { periodKey: 'daily:OK', claimedAt: T0, postedAt: null },
        key: { key: 'key-OK', runId: 'OK-1' },
        pending: expect.objectContaining({ text: 'OK' }),
        corrections: 1,
      });
      expect(await store.transaction((r) => r.runs.nextSeq('OK'))).toBe(2);
    });

    it('when a transaction throws, then the same error reaches the caller and nothing it wrote in any repository remains', async () => {
      const { store } = db();
      const boom = new Error('boom');
      const { written, done } = writeEverywhere(store, 'NO', boom);
      await expect(done).rejects.toBe(boom);
      expect(written.pendingId).not.toBe(-1);
      expect(await traces(store, 'NO', written.pendingId)).toEqual({
        run: false,
        events: 0,
        outbox: 0,
        role: null,
        group: null,
        timers: 0,
        digest: null,
        key: null,
        pending: null,
        corrections: 0,
      });
      expect(await store.read.runs.count()).toBe(0);
      expect(await store.transaction((r) => r.runs.nextSeq('NO'))).toBe(1);
    });

    it('when transactions commit messages, then the outbox is told of those that added rows: not a root update folded into a waiting one, nor a rollback', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('A-1'));
      let told = 0;
      const unsubscribe = store.onOutboxWrite(() => told++);
      const update = { runId: 'A-1', delivery: { kind: 'root_update' as const }, notice: rootUpdate('A-1') };
      const reply = { runId: 'A-1', delivery: { kind: 'thread' as const }, notice: started('A-1') };
      await store.transaction((r) => r.outbox.enqueue([update], T0));
      expect(told).toBe(1);
      // Folded into the waiting one: nothing new to send.
      await store.transaction((r) => r.outbox.enqueue([update], T0));
      await store.transaction(async () => 'nothing written');
      expect(told).toBe(1);
      // Rolled back: nothing to send (SQLite hands its id out again).
      await expect(
        store.transaction(async (r) => {
          await r.outbox.enqueue([reply], T0);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(told).toBe(1);
      await store.transaction((r) => r.outbox.enqueue([update, reply], T0));
      expect(told).toBe(2);
      unsubscribe();
      await store.transaction((r) => r.outbox.enqueue([reply], T0));
      expect(told).toBe(2);
    });

    it('when a transaction failed, then the next one on the same store commits as usual', async () => {
      const { store } = db();
      await expect(store.transaction(() => Promise.reject(new Error('first fails')))).rejects.toThrow();
      await expect(
        store.transaction(async (r) => {
          await r.runs.insert(makeRun('X-1'));
          throw new Error('second fails after writing');
        }),
      ).rejects.toThrow();
      await insertRuns(store, makeRun('Y-1'));
      expect((await store.read.runs.list()).map((r) => r.id)).toEqual(['Y-1']);
    });

    it('when a transaction reads what it wrote, then it sees it before committing', async () => {
      const { store } = db();
      const seen = await store.transaction(async (r) => {
        await r.runs.insert(makeRun('FEAT-1'));
        await r.roles.set('Architect', ['U1'], 'UADMIN', T0);
        return { run: (await r.runs.get('FEAT-1'))?.id, role: await r.roles.get('Architect') };
      });
      expect(seen).toEqual({ run: 'FEAT-1', role: ['U1'] });
    });

    it('when several transactions are started at once, then each commits', async () => {
      const { store } = db();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.transaction(async (r) => {
            await r.runs.insert(makeRun(`P-${i}`, { seq: 1000 + i }));
            return r.runs.nextSeq('P');
          }),
        ),
      );
      expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await store.read.runs.count()).toBe(20);
    });

    it('when a transaction is started inside another of the same store, then it is refused at once and the outer one goes on', async () => {
      const { store } = db();
      const inner = await store.transaction(async (r) => {
        await r.runs.insert(makeRun('OUTER-1'));
        const refused = await store.transaction((r2) => r2.runs.insert(makeRun('INNER-1'))).catch((e) => e);
        await r.runs.insert(makeRun('OUTER-2'));
        return refused;
      });
      expect(inner).toBeInstanceOf(NestedTransactionError);
      expect(inner).toMatchObject({ code: 'nested_transaction' });
      expect((await store.read.runs.list()).map((r) => r.id)).toEqual(['OUTER-1', 'OUTER-2']);
      expect(await store.transaction((r) => r.runs.count())).toBe(2);
    });

    it('when work a transaction left running starts a transaction after it ended, then that one runs', async () => {
      const { store } = db();
      let release!: () => void;
      const ended = new Promise<void>((resolve) => {
        release = resolve;
      });
      let later!: Promise<number>;
      await store.transaction(async (r) => {
        await r.runs.insert(makeRun('FIRST-1'));
        later = ended.then(() => store.transaction((r2) => r2.runs.count()));
      });
      release();
      expect(await later).toBe(1);
    });

    it('when the store is closed while transactions are under way, then they finish and commit first', async () => {
      const { store, connect } = db();
      const other = connect ? await connect() : null;
      const order: string[] = [];
      const under = [1, 2, 3].map((i) =>
        store.transaction(async (r) => {
          await r.runs.insert(makeRun(`LAST-${i}`));
          order.push(`tx${i}`);
          return i;
        }),
      );
      await store.close();
      order.push('closed');
      expect(await Promise.all(under)).toEqual([1, 2, 3]);
      // Every transaction before the close (a server database runs them side by side, in any order).
      expect([...order.slice(0, 3)].sort()).toEqual(['tx1', 'tx2', 'tx3']);
      expect(order[3]).toBe('closed');
      if (other) expect(await other.store.read.runs.count()).toBe(3);
    });

    const unlessKnown = (bug: KnownBug) => (backend.knownBugs?.includes(bug) ? it.fails : it);

    unlessKnown('read-sees-uncommitted-writes')(
      'when a transaction is still open, then a read outside it sees only what was committed, not its writes',
      async () => {
        const { store } = db();
        let wrote!: () => void;
        const written = new Promise<void>((resolve) => {
          wrote = resolve;
        });
        let finish!: () => void;
        const finished = new Promise<void>((resolve) => {
          finish = resolve;
        });
        const open = store.transaction(async (r) => {
          await r.runs.insert(makeRun('OPEN-1'));
          wrote();
          await finished;
          throw new Error('rolled back');
        });
        await written;
        const seenWhileOpen = await store.read.runs.get('OPEN-1');
        finish();
        await expect(open).rejects.toThrow('rolled back');
        expect(await store.read.runs.get('OPEN-1')).toBeNull();
        expect(seenWhileOpen).toBeNull();
      },
    );

    it('when another connection commits, then this one reads it outside a transaction', async ({ skip }) => {
      const { store, connect } = db();
      if (!connect) return skip('one connection only');
      const other = await connect();
      const two = writeEverywhere(other.store, 'TWO');
      await two.done;
      expect(await traces(store, 'TWO', two.written.pendingId)).toMatchObject({
        run: true,
        events: 1,
        outbox: 1,
        timers: 1,
      });
      await writeEverywhere(store, 'ONE').done;
      expect((await other.store.read.runs.list()).map((r) => r.id).sort()).toEqual(['ONE-1', 'TWO-1']);
    });
  });
}
