// OutboxRepository, the delivery bookkeeping: the in-flight mark (a post that may have reached
// Slack unseen), messages held for a channel the bot is not in and their release, the leases
// of senders found dead, and the problems per run that status and digests show.
import { describe, expect, it } from 'vitest';
import type { Delivery, Notice } from '../../../src/domain/notices.ts';
import { NO_CHANNEL } from '../../../src/persistence/ports.ts';
import type { Backend, Repositories } from './backend.ts';
import { cancelled, digest, insertRuns, MINUTE, makeRun, started, T0, useBackend } from './fixtures.ts';

const LEASE = MINUTE;
const thread: Delivery = { kind: 'thread' };
const dm = (userId: string): Delivery => ({ kind: 'dm', userId });

export function describeOutboxDeliveryContract(backend: Backend) {
  describe(`outbox delivery bookkeeping (${backend.name})`, () => {
    const db = useBackend(backend);
    const tx = <T>(fn: (o: Repositories['outbox']) => Promise<T>) =>
      db().store.transaction((r) => fn(r.outbox));
    const enqueue = (items: { runId: string | null; delivery: Delivery; notice: Notice }[], now = T0) =>
      tx((o) => o.enqueue(items, now));
    const claim = async (worker: string, now: number, lease = LEASE) =>
      (await tx((o) => o.claimDue(now, 100, worker, lease))).map((r) => r.id);
    const row = async (id: number) => (await db().store.read.outbox.list()).find((r) => r.id === id)!;

    it('when a post goes in flight, then it may have been sent until it is sent or a 429 hands it back; only its holder marks it', async () => {
      const [id] = await enqueue([{ runId: null, delivery: dm('U1'), notice: digest('x') }]);
      expect(await claim('a', T0)).toEqual([id]);
      expect((await row(id!)).maybeSent).toBe(false);
      expect(await tx((o) => o.markInFlight(id!, 'b'))).toBe(false);
      expect((await row(id!)).maybeSent).toBe(false);
      expect(await tx((o) => o.markInFlight(id!, 'a'))).toBe(true);
      expect(await tx((o) => o.retryLater(id!, 'a', T0, 'request_error: socket hang up'))).toBe(true);
      const [again] = await tx((o) => o.claimDue(T0, 10, 'a', LEASE));
      expect(again).toMatchObject({ id, maybeSent: true, attempts: 1 });
      // A hand-back keeps the mark unless Slack said it took nothing.
      expect(await tx((o) => o.handBack(id!, 'a', T0, 'waiting: channel pacing'))).toBe(true);
      expect(await row(id!)).toMatchObject({ maybeSent: true, attempts: 1 });
      await claim('a', T0);
      expect(await tx((o) => o.handBack(id!, 'a', T0, 'ratelimited', true))).toBe(true);
      expect(await row(id!)).toMatchObject({ maybeSent: false, attempts: 1 });
      await claim('a', T0);
      await tx((o) => o.markInFlight(id!, 'a'));
      expect(await tx((o) => o.markSent(id!, 'a', '1.0', T0))).toBe(true);
      expect(await row(id!)).toMatchObject({ status: 'sent', maybeSent: false });
      expect(await tx((o) => o.markInFlight(id!, 'a'))).toBe(false);
    });

    it('when messages are held for a channel, then nobody claims them, they are not pending, and joining releases that channel’s only, in order', async () => {
      const { store } = db();
      await insertRuns(
        store,
        makeRun('A-1', { channelId: 'CPRIV' }),
        makeRun('B-1', { channelId: 'COTHER' }),
      );
      const [aRoot, aThread, aDm, bRoot, bThread] = await enqueue([
        { runId: 'A-1', delivery: { kind: 'root' }, notice: started('A-1') },
        { runId: 'A-1', delivery: thread, notice: cancelled('A-1') },
        { runId: 'A-1', delivery: dm('UREQ'), notice: cancelled('A-1') },
        { runId: 'B-1', delivery: { kind: 'root' }, notice: started('B-1') },
        { runId: 'B-1', delivery: thread, notice: cancelled('B-1') },
      ]);
      await claim('w', T0);
      // Only the sender holding the row can hold it.
      expect(await tx((o) => o.hold(aRoot!, 'stranger', 'not_in_channel'))).toBe(false);
      for (const id of [aRoot, aThread, bRoot, bThread])
        expect(await tx((o) => o.hold(id!, 'w', 'channel_not_found'))).toBe(true);
      await tx((o) => o.markSent(aDm!, 'w', '1.0', T0));
      expect(await row(aRoot!)).toMatchObject({
        status: 'held',
        attempts: 1,
        lastError: 'channel_not_found',
      });
      expect([...(await store.read.outbox.heldChannels())].sort()).toEqual(['COTHER', 'CPRIV']);
      expect(await claim('x', T0 + 10 * LEASE)).toEqual([]);
      expect(await store.read.outbox.pendingCount()).toBe(0);
      expect(await store.read.outbox.list({ status: 'pending' })).toEqual([]);
      expect((await store.read.outbox.list({ status: 'held' })).map((r) => r.id)).toEqual([
        aRoot,
        aThread,
        bRoot,
        bThread,
      ]);
      // A held row settles nothing more: it waits for its release.
      expect(await tx((o) => o.markSent(aRoot!, 'w', '1.0', T0))).toBe(false);

      const later = T0 + 20 * LEASE;
      expect(await tx((o) => o.releaseHeld('CNOWHERE', later))).toEqual({ count: 0, runIds: [] });
      expect(await tx((o) => o.releaseHeld('CPRIV', later))).toEqual({ count: 2, runIds: ['A-1'] });
      expect(await claim('x', later - 1)).toEqual([]);
      const released = await tx((o) => o.claimDue(later, 100, 'x', LEASE));
      expect(released.map((r) => r.id)).toEqual([aRoot, aThread]);
      expect(released.every((r) => r.attempts === 1 && r.status === 'pending')).toBe(true);
      expect(await store.read.outbox.heldChannels()).toEqual(['COTHER']);
      expect((await store.read.outbox.list({ runId: 'B-1', status: 'held' })).length).toBe(2);
    });

    it('when an older message of the run is held, then a later one learns why; direct messages and other runs do not count', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('A-1'), makeRun('B-1'));
      const [aDm, aRoot, aThread, aLater, bThread] = await enqueue([
        { runId: 'A-1', delivery: dm('UREQ'), notice: cancelled('A-1') },
        { runId: 'A-1', delivery: { kind: 'root' }, notice: started('A-1') },
        { runId: 'A-1', delivery: thread, notice: cancelled('A-1') },
        { runId: 'A-1', delivery: thread, notice: cancelled('A-1') },
        { runId: 'B-1', delivery: thread, notice: cancelled('B-1') },
      ]);
      await claim('w', T0);
      await tx((o) => o.hold(aDm!, 'w', 'cannot_dm_bot'));
      const earlier = (runId: string, id: number) => store.read.outbox.earlierHeld(runId, id);
      expect(await earlier('A-1', aLater!)).toBeNull();
      await tx((o) => o.hold(aThread!, 'w', 'not_in_channel'));
      await tx((o) => o.hold(aRoot!, 'w', 'channel_not_found'));
      // The oldest held one speaks for the run.
      expect(await earlier('A-1', aLater!)).toBe('channel_not_found');
      expect(await earlier('A-1', aThread!)).toBe('channel_not_found');
      expect(await earlier('A-1', aRoot!)).toBeNull();
      expect(await earlier('B-1', bThread!)).toBeNull();
    });

    it('when senders hold leases, then their names are listed while the leases last, and only the named ones lose them', async () => {
      const { store } = db();
      const ids = await enqueue(
        Array.from({ length: 4 }, (_, i) => ({ runId: null, delivery: dm(`U${i}`), notice: digest(`${i}`) })),
      );
      expect(await store.read.outbox.leaseHolders(T0)).toEqual([]);
      const gone = (await tx((o) => o.claimDue(T0, 2, 'gone', LEASE))).map((r) => r.id);
      const alive = (await tx((o) => o.claimDue(T0, 1, 'alive', 10 * LEASE))).map((r) => r.id);
      await tx((o) => o.markSent(alive[0]!, 'alive', '1.0', T0));
      const [last] = await tx((o) => o.claimDue(T0, 1, 'alive', 10 * LEASE));
      expect([...gone, alive[0], last!.id]).toEqual(ids);
      expect([...(await store.read.outbox.leaseHolders(T0))].sort()).toEqual(['alive', 'gone']);
      expect(await store.read.outbox.leaseHolders(T0 + LEASE + 1)).toEqual(['alive']);

      expect(await tx((o) => o.releaseLeases([], T0))).toBe(0);
      expect(await tx((o) => o.releaseLeases(['someone-else'], T0))).toBe(0);
      expect(await claim('next', T0)).toEqual([]);
      expect(await tx((o) => o.releaseLeases(['gone'], T0))).toBe(2);
      expect(await store.read.outbox.leaseHolders(T0)).toEqual(['alive']);
      expect(await claim('next', T0)).toEqual(gone);
      // The released rows were not attempts; the sent one stays sent.
      expect((await row(gone[0]!)).attempts).toBe(0);
      expect(await tx((o) => o.releaseLeases(['alive'], T0))).toBe(1);
      expect((await row(alive[0]!)).status).toBe('sent');
    });

    it('when runs have held and failed messages, then their problems count them with their errors; a run without a channel has none', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('R-1', { channelId: 'C1' }), makeRun('R-2', { channelId: null }));
      await insertRuns(store, makeRun('R-3', { channelId: 'C3' }));
      const [root, reply, note, direct, nowhere, other, fine] = await enqueue(
        [
          { runId: 'R-1', delivery: { kind: 'root' }, notice: started('R-1') },
          { runId: 'R-1', delivery: thread, notice: cancelled('R-1') },
          { runId: 'R-1', delivery: thread, notice: cancelled('R-1') },
          { runId: 'R-1', delivery: dm('UREQ'), notice: cancelled('R-1') },
          { runId: 'R-2', delivery: { kind: 'root' }, notice: started('R-2') },
          { runId: 'R-3', delivery: dm('UREQ'), notice: cancelled('R-3') },
          { runId: 'R-3', delivery: { kind: 'root' }, notice: started('R-3') },
        ],
        T0 + 7,
      );
      await claim('w', T0 + 7);
      await tx((o) => o.hold(root!, 'w', 'not_in_channel (the bot left C1)'));
      await tx((o) => o.markFailed(reply!, 'w', 'is_archived', T0 + 8));
      await tx((o) => o.markFailed(note!, 'w', 'is_archived', T0 + 8));
      await tx((o) => o.markFailed(direct!, 'w', 'cannot_dm_bot', T0 + 8));
      await tx((o) => o.markFailed(nowhere!, 'w', NO_CHANNEL, T0 + 8));
      await tx((o) => o.markFailed(other!, 'w', 'user_not_found', T0 + 8));
      await tx((o) => o.markSent(fine!, 'w', '1.0', T0 + 8));
      const r1 = {
        runId: 'R-1',
        channelId: 'C1',
        held: 1,
        failed: 3,
        errors: ['not_in_channel', 'is_archived', 'cannot_dm_bot'],
        since: T0 + 7,
      };
      // A direct message alone names no channel.
      const r3 = {
        runId: 'R-3',
        channelId: null,
        held: 0,
        failed: 1,
        errors: ['user_not_found'],
        since: T0 + 7,
      };
      expect(await store.read.outbox.deliveryProblems()).toEqual([r1, r3]);
      expect(await store.read.outbox.deliveryProblems(['R-3', 'R-2'])).toEqual([r3]);
      expect(await store.read.outbox.deliveryProblems(['R-2'])).toEqual([]);
      expect(await store.read.outbox.deliveryProblems([])).toEqual([]);
    });
  });
}
