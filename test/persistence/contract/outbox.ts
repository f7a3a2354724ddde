// OutboxRepository: messages owed, claimed under a lease by one sender at a time, and settled
// only by the sender that still holds them.
import { describe, expect, it } from 'vitest';
import type { Delivery, Notice } from '../../../src/domain/notices.ts';
import type { Backend, Repositories } from './backend.ts';
import { cancelled, digest, insertRuns, makeRun, rootUpdate, started, T0, useBackend } from './fixtures.ts';

const LEASE = 60_000;
const thread: Delivery = { kind: 'thread' };

export function describeOutboxRepositoryContract(backend: Backend) {
  describe(`outbox (${backend.name})`, () => {
    const db = useBackend(backend);
    const tx = <T>(fn: (o: Repositories['outbox']) => Promise<T>) =>
      db().store.transaction((r) => fn(r.outbox));
    const enqueue = (items: { runId: string | null; delivery: Delivery; notice: Notice }[], now = T0) =>
      tx((o) => o.enqueue(items, now));
    const claim = async (worker: string, now: number, limit = 100, skip?: string[]) =>
      (await tx((o) => o.claimDue(now, limit, worker, LEASE, skip))).map((r) => r.id);
    /** Two runs: BUSY-1 in CBUSY, CALM-1 in CCALM. */
    const busyAndCalm = () =>
      insertRuns(
        db().store,
        makeRun('BUSY-1', { channelId: 'CBUSY' }),
        makeRun('CALM-1', { channelId: 'CCALM' }),
      );
    const row = async (id: number) => (await db().store.read.outbox.list()).find((r) => r.id === id)!;
    /** One message, claimed by worker a at T0. */
    async function claimedOne() {
      const [id] = await enqueue([
        { runId: null, delivery: { kind: 'dm', userId: 'U1' }, notice: digest('x') },
      ]);
      expect(await claim('a', T0)).toEqual([id]);
      return id!;
    }

    it('when messages are enqueued, then each is pending with its delivery and notice, listed in the order enqueued', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('FEAT-1'));
      const items = [
        { runId: 'FEAT-1', delivery: { kind: 'root' }, notice: started('FEAT-1') },
        { runId: 'FEAT-1', delivery: { kind: 'root_update' }, notice: rootUpdate('FEAT-1') },
        { runId: 'FEAT-1', delivery: thread, notice: cancelled('FEAT-1') },
        { runId: 'FEAT-1', delivery: { kind: 'dm', userId: 'UREQ' }, notice: cancelled('FEAT-1') },
        { runId: null, delivery: { kind: 'channel', channelId: 'CDIGEST' }, notice: digest('Weekly') },
      ] satisfies { runId: string | null; delivery: Delivery; notice: Notice }[];
      const ids = await enqueue(items, T0 + 5);
      expect(ids).toHaveLength(5);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      const rows = await store.read.outbox.list();
      expect(rows).toEqual(
        items.map((item, i) => ({
          id: ids[i],
          runId: item.runId,
          delivery: item.delivery,
          notice: item.notice,
          attempts: 0,
          status: 'pending',
          lastError: null,
          maybeSent: false,
          resultTs: null,
          createdAt: T0 + 5,
          sentAt: null,
        })),
      );
      expect(await store.read.outbox.pendingCount()).toBe(5);
      expect((await store.read.outbox.list({ runId: 'FEAT-1' })).map((r) => r.id)).toEqual(ids.slice(0, 4));
      expect(await store.read.outbox.list({ status: 'sent' })).toEqual([]);
      expect(await tx((o) => o.enqueue([], T0))).toEqual([]);
    });

    it('when due messages are claimed, then oldest first up to the limit, and none before it is due', async () => {
      const ids = await enqueue(
        Array.from({ length: 5 }, (_, i) => ({ runId: null, delivery: thread, notice: digest(`n${i}`) })),
        T0,
      );
      expect(await claim('a', T0 - 1)).toEqual([]);
      expect(await claim('a', T0, 2)).toEqual(ids.slice(0, 2));
      const rows = await tx((o) => o.claimDue(T0, 10, 'b', LEASE));
      expect(rows.map((r) => r.id)).toEqual(ids.slice(2));
      expect(rows[0]).toMatchObject({ notice: digest('n2'), status: 'pending', attempts: 0 });
    });

    it('when a message is claimed, then no one claims it again until its lease runs out', async () => {
      const id = await claimedOne();
      expect(await claim('a', T0)).toEqual([]);
      expect(await claim('b', T0 + LEASE)).toEqual([]);
      expect(await claim('b', T0 + LEASE + 1)).toEqual([id]);
      expect(await claim('c', T0 + LEASE + 2)).toEqual([]);
    });

    it('when a sender skips destinations it must pace, then it claims only the others, run messages by their run’s channel', async () => {
      await busyAndCalm();
      const [busyRoot, busyThread, calmThread, dmBusyUser, busyChannel, unknownRun] = await enqueue([
        { runId: 'BUSY-1', delivery: { kind: 'root' }, notice: started('BUSY-1') },
        { runId: 'BUSY-1', delivery: thread, notice: cancelled('BUSY-1') },
        { runId: 'CALM-1', delivery: thread, notice: cancelled('CALM-1') },
        { runId: null, delivery: { kind: 'dm', userId: 'UBUSY' }, notice: digest('dm') },
        { runId: null, delivery: { kind: 'channel', channelId: 'CBUSY' }, notice: digest('c') },
        { runId: 'GONE-1', delivery: thread, notice: cancelled('GONE-1') },
      ]);
      expect(await claim('a', T0, 100, ['CBUSY', 'UBUSY'])).toEqual([calmThread, unknownRun]);
      expect(await claim('a', T0, 100, [])).toEqual([busyRoot, busyThread, dmBusyUser, busyChannel]);
    });

    it('when one destination is far behind, then a claim takes turns: each destination’s oldest first (a webhook’s is its subscription and run)', async () => {
      await busyAndCalm();
      const busy = await enqueue(
        Array.from({ length: 5 }, (_, i) => ({
          runId: 'BUSY-1',
          delivery: thread,
          notice: digest(`busy ${i}`),
        })),
      );
      const [calm, dm, hookA, hookB] = await enqueue([
        { runId: 'CALM-1', delivery: thread, notice: cancelled('CALM-1') },
        { runId: null, delivery: { kind: 'dm', userId: 'U1' }, notice: digest('dm') },
        {
          runId: null,
          delivery: { kind: 'webhook', subscriptionId: 1, runId: 'BUSY-1' },
          notice: digest('a'),
        },
        {
          runId: null,
          delivery: { kind: 'webhook', subscriptionId: 1, runId: 'CALM-1' },
          notice: digest('b'),
        },
      ]);
      // Oldest first within the claim; the busy channel's backlog waits for its later turns.
      expect(await claim('a', T0, 5)).toEqual([busy[0], calm, dm, hookA, hookB]);
      expect(await claim('b', T0, 2)).toEqual(busy.slice(1, 3));
      expect(await claim('c', T0, 100)).toEqual(busy.slice(3));
    });

    it('when a destination far behind is parked, then its due messages wait for their turns in order, after those already waiting; others and leased ones stay', async () => {
      await busyAndCalm();
      const busy = await enqueue(
        Array.from({ length: 4 }, (_, i) => ({ runId: 'BUSY-1', delivery: thread, notice: digest(`b${i}`) })),
      );
      const [calm] = await enqueue([{ runId: 'CALM-1', delivery: thread, notice: cancelled('CALM-1') }]);
      expect(await claim('a', T0, 1)).toEqual([busy[0]]);
      // The leased one stays; the other three go to T0+5s, +6s, +7s.
      expect(await tx((o) => o.park('CBUSY', T0 + 5000, 1000, T0))).toBe(3);
      const [late] = await enqueue([{ runId: 'BUSY-1', delivery: thread, notice: digest('b4') }], T0 + 10);
      // Newly due: after the last one waiting (T0+8s), not at the slot.
      expect(await tx((o) => o.park('CBUSY', T0 + 5000, 1000, T0 + 10))).toBe(1);
      expect(await tx((o) => o.park('CBUSY', T0 + 5000, 1000, T0 + 10))).toBe(0);
      expect(await claim('b', T0 + 10)).toEqual([calm]);
      expect(await claim('b', T0 + 5000)).toEqual([busy[1]]);
      expect(await claim('b', T0 + 7000)).toEqual([busy[2], busy[3]]);
      expect(await claim('b', T0 + 7999)).toEqual([]);
      expect(await claim('b', T0 + 8000)).toEqual([late]);
      // Nothing waiting any more: the next one parks at the slot itself.
      const [last] = await enqueue([{ runId: 'BUSY-1', delivery: thread, notice: digest('b5') }], T0 + 9000);
      expect(await tx((o) => o.park('CBUSY', T0 + 20_000, 1000, T0 + 9000))).toBe(1);
      expect(await claim('c', T0 + 19_999)).toEqual([]);
      expect(await claim('c', T0 + 20_000)).toEqual([last]);
    });

    it('when the sender marks a message sent, then it is sent with its ts, counted as an attempt and never claimed again', async () => {
      const { store } = db();
      const id = await claimedOne();
      expect(await tx((o) => o.markSent(id, 'a', '1.000001', T0 + 3))).toBe(true);
      expect(await row(id)).toMatchObject({
        status: 'sent',
        resultTs: '1.000001',
        sentAt: T0 + 3,
        attempts: 1,
        lastError: null,
      });
      expect(await claim('b', T0 + 10 * LEASE)).toEqual([]);
      expect(await store.read.outbox.pendingCount()).toBe(0);
      expect((await store.read.outbox.list({ status: 'sent' })).map((r) => r.id)).toEqual([id]);
    });

    it('when a message is dropped (sent with no ts), then it is sent with a null ts', async () => {
      const id = await claimedOne();
      expect(await tx((o) => o.markSent(id, 'a', null, T0))).toBe(true);
      expect(await row(id)).toMatchObject({ status: 'sent', resultTs: null });
    });

    it('when an attempt fails, then the message is released, counts the attempt and is due again at its next attempt, lease or not', async () => {
      const id = await claimedOne();
      expect(await tx((o) => o.retryLater(id, 'a', T0 + 1000, 'http_500'))).toBe(true);
      expect(await row(id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'http_500' });
      expect(await claim('b', T0 + 999)).toEqual([]);
      // Well inside the first lease: the retry released it.
      expect(await claim('b', T0 + 1000)).toEqual([id]);
    });

    it('when the sender gives up, then the message failed for good with its error', async () => {
      const { store } = db();
      const id = await claimedOne();
      expect(await tx((o) => o.markFailed(id, 'a', 'channel_not_found', T0 + 2))).toBe(true);
      expect(await row(id)).toMatchObject({
        status: 'failed',
        lastError: 'channel_not_found',
        sentAt: T0 + 2,
        attempts: 1,
      });
      expect(await claim('b', T0 + 10 * LEASE)).toEqual([]);
      expect((await store.read.outbox.list({ status: 'failed' })).map((r) => r.id)).toEqual([id]);
      expect(await store.read.outbox.pendingCount()).toBe(0);
    });

    it('when a message is handed back, then it is not an attempt: it waits until its time with the reason as its last error', async () => {
      const id = await claimedOne();
      expect(await tx((o) => o.handBack(id, 'a', T0 + 500, 'waiting: channel pacing'))).toBe(true);
      expect(await row(id)).toMatchObject({
        status: 'pending',
        attempts: 0,
        lastError: 'waiting: channel pacing',
      });
      expect(await claim('b', T0 + 499)).toEqual([]);
      expect(await claim('b', T0 + 500)).toEqual([id]);
      expect(await tx((o) => o.handBack(id, 'b', T0 + 600, 'rate limited'))).toBe(true);
      expect((await row(id)).attempts).toBe(0);
    });

    it('when a sender lost its lease to another, then none of its settles does anything; the holder’s does', async () => {
      const id = await claimedOne();
      expect(await claim('b', T0 + LEASE + 1)).toEqual([id]);
      const now = T0 + LEASE + 2;
      expect(await tx((o) => o.markSent(id, 'a', '1.000001', now))).toBe(false);
      expect(await tx((o) => o.markFailed(id, 'a', 'channel_not_found', now))).toBe(false);
      expect(await tx((o) => o.retryLater(id, 'a', now + 1000, 'http_500'))).toBe(false);
      expect(await tx((o) => o.handBack(id, 'a', now + 1000, 'waiting'))).toBe(false);
      expect(await row(id)).toMatchObject({
        status: 'pending',
        attempts: 0,
        lastError: null,
        resultTs: null,
      });
      expect(await claim('c', now)).toEqual([]);
      expect(await tx((o) => o.markSent(id, 'b', '2.000002', now))).toBe(true);
      expect(await row(id)).toMatchObject({ status: 'sent', resultTs: '2.000002', attempts: 1 });
    });

    it('when a sender never claimed a message, then it cannot settle it', async () => {
      const id = await claimedOne();
      expect(await tx((o) => o.markSent(id, 'stranger', '1.0', T0))).toBe(false);
      expect(await tx((o) => o.handBack(id, 'stranger', T0, 'x'))).toBe(false);
      expect(await tx((o) => o.markSent(id + 1000, 'a', '1.0', T0))).toBe(false);
      expect((await row(id)).status).toBe('pending');
    });

    it('when the lease ran out and no one else claimed the message, then its sender still records the outcome', async () => {
      const id = await claimedOne();
      expect(await tx((o) => o.markSent(id, 'a', '1.000001', T0 + 5 * LEASE))).toBe(true);
      expect(await row(id)).toMatchObject({ status: 'sent', sentAt: T0 + 5 * LEASE });
    });

    it('when a message was sent or failed, then nothing puts it back, not even its own sender', async () => {
      for (const outcome of ['sent', 'failed'] as const) {
        const id = await claimedOne();
        if (outcome === 'sent') await tx((o) => o.markSent(id, 'a', '1.0', T0));
        else await tx((o) => o.markFailed(id, 'a', 'gone', T0));
        const before = await row(id);
        expect(await tx((o) => o.retryLater(id, 'a', T0 + 1, 'http_500'))).toBe(false);
        expect(await tx((o) => o.handBack(id, 'a', T0 + 1, 'waiting'))).toBe(false);
        expect(await tx((o) => o.markSent(id, 'a', '3.0', T0 + 1))).toBe(false);
        expect(await tx((o) => o.markFailed(id, 'a', 'again', T0 + 1))).toBe(false);
        expect(await row(id)).toEqual(before);
        expect(before.status).toBe(outcome);
      }
    });

    it('when an older thread message of the run is unsent, then a later one waits; direct messages and root updates never hold it', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('A-1'), makeRun('B-1'));
      const [root, dm, update, reply, otherRun] = await enqueue([
        { runId: 'A-1', delivery: { kind: 'root' }, notice: started('A-1') },
        { runId: 'A-1', delivery: { kind: 'dm', userId: 'U1' }, notice: cancelled('A-1') },
        { runId: 'A-1', delivery: { kind: 'root_update' }, notice: rootUpdate('A-1') },
        { runId: 'A-1', delivery: thread, notice: cancelled('A-1') },
        { runId: 'B-1', delivery: thread, notice: cancelled('B-1') },
      ]);
      const earlier = (runId: string, id: number) => store.read.outbox.hasEarlierPending(runId, id);
      expect(await earlier('A-1', reply!)).toBe(true);
      expect(await earlier('A-1', root!)).toBe(false);
      expect(await earlier('B-1', otherRun!)).toBe(false);
      await claim('a', T0);
      await tx((o) => o.markFailed(root!, 'a', 'channel_not_found', T0));
      // The root failed for good: only dm and root update are left before the reply.
      expect([dm, update].every((id) => id! < reply!)).toBe(true);
      expect(await earlier('A-1', reply!)).toBe(false);
    });

    it('when a newer root update of the run waits, then an older one can be dropped; not once the newer is sent, nor for another run', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('A-1'), makeRun('B-1'));
      // The first is being sent (leased): a newer one is a row of its own.
      const [first] = await enqueue([
        { runId: 'A-1', delivery: { kind: 'root_update' }, notice: rootUpdate('A-1') },
      ]);
      expect(await claim('a', T0)).toEqual([first]);
      const [reply, second, otherRun] = await enqueue([
        { runId: 'A-1', delivery: thread, notice: cancelled('A-1') },
        { runId: 'A-1', delivery: { kind: 'root_update' }, notice: rootUpdate('A-1') },
        { runId: 'B-1', delivery: { kind: 'root_update' }, notice: rootUpdate('B-1') },
      ]);
      const newer = (runId: string, id: number) => store.read.outbox.hasNewerRootUpdate(runId, id);
      expect(await newer('A-1', first!)).toBe(true);
      expect(await newer('A-1', reply!)).toBe(true);
      expect(await newer('A-1', second!)).toBe(false);
      expect(await newer('B-1', otherRun!)).toBe(false);
      await claim('a', T0);
      await tx((o) => o.markSent(second!, 'a', '1.0', T0));
      expect(await newer('A-1', first!)).toBe(false);
    });

    it('when a run’s root update is waiting, then another is folded into it (no row added, its id returned); not once it is leased or sent, nor across runs or kinds', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('A-1'), makeRun('B-1'));
      const update = (runId: string) => ({
        runId,
        delivery: { kind: 'root_update' } as Delivery,
        notice: rootUpdate(runId),
      });
      const reply = { runId: 'A-1', delivery: thread, notice: cancelled('A-1') };
      const [a1, replyId, b1] = await enqueue([update('A-1'), reply, update('A-1'), update('B-1'), reply]);
      const rows = async () => (await store.read.outbox.list()).map((r) => [r.id, r.delivery.kind, r.runId]);
      const replies = (await store.read.outbox.list()).filter((r) => r.delivery.kind === 'thread');
      expect(replies).toHaveLength(2);
      expect(await rows()).toEqual([
        [a1, 'root_update', 'A-1'],
        [replyId, 'thread', 'A-1'],
        [b1, 'root_update', 'B-1'],
        [replies[1]!.id, 'thread', 'A-1'],
      ]);
      // A later transaction's update for A-1 is carried by the waiting row.
      expect(await enqueue([update('A-1')], T0 + 10)).toEqual([a1]);
      expect(await store.read.outbox.pendingCount()).toBe(4);
      // Leased (a sender may have read the run already): a new row.
      expect(await claim('a', T0 + 10, 1)).toEqual([a1]);
      const [a2] = await enqueue([update('A-1')], T0 + 20);
      expect(a2).toBeGreaterThan(replies[1]!.id);
      // Handed back (waiting for its turn, no longer leased): it carries the next one.
      await tx((o) => o.handBack(a1!, 'a', T0 + 30, 'channel pace'));
      expect(await enqueue([update('A-1')], T0 + 40)).toEqual([a2]);
      // Sent: no longer waiting.
      expect(await claim('a', T0 + 10)).toContain(b1);
      await tx((o) => o.markSent(b1!, 'a', '1.0', T0 + 10));
      const [b2] = await enqueue([update('B-1')], T0 + 50);
      expect(b2).toBeGreaterThan(a2!);
      expect(await store.read.outbox.pendingCount()).toBe(5);
    });
  });
}
