// The outbox repository's delivery bookkeeping on a real migrated SQLite database: the in-flight
// mark, holding rows for a channel the bot is not in and releasing them, the leases of gone
// senders, and the problems per run.
import { describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/persistence/ports.ts';
import { createTestEngine } from '../support/engine.ts';

async function setup() {
  const e = await createTestEngine();
  const as = <T>(fn: (o: Repositories['outbox']) => Promise<T>) => e.store.transaction((r) => fn(r.outbox));
  const claim = async (worker: string, leaseMs = 60_000) =>
    await e.store.transaction((r) => r.outbox.claimDue(e.clock.ms, 100, worker, leaseMs));
  const start = (channelId: string | null) =>
    e.runs.startRun({ chain: 'bug', title: 'Crash', text: 'crash', requester: 'UREQ', channelId });
  return { e, as, claim, start };
}

describe('the outbox repository', () => {
  it('when a row goes in flight, then it may have been sent until sent or a 429 hands it back; only its holder marks it', async () => {
    const { e, as, claim, start } = await setup();
    await start('C1');
    const [row] = await claim('a');
    expect(row!.maybeSent).toBe(false);
    expect(await as((o) => o.markInFlight(row!.id, 'b'))).toBe(false);
    expect(await as((o) => o.markInFlight(row!.id, 'a'))).toBe(true);
    expect(await as((o) => o.retryLater(row!.id, 'a', e.clock.ms, 'request_error: socket hang up'))).toBe(
      true,
    );
    const [again] = (await claim('a')).filter((r) => r.id === row!.id);
    expect(again).toMatchObject({ maybeSent: true, attempts: 1 });
    expect(await as((o) => o.handBack(again!.id, 'a', e.clock.ms, 'ratelimited', true))).toBe(true);
    expect((await e.store.read.outbox.list()).find((r) => r.id === row!.id)).toMatchObject({
      maybeSent: false,
      attempts: 1,
    });
    await e.close();
  });

  it('when rows are held for a channel, then nobody claims them, they do not count as pending, and the bot joining releases that channel’s only, in order', async () => {
    const { e, as, claim, start } = await setup();
    const { run: a } = await start('CPRIV');
    const { run: b } = await start('COTHER');
    const rows = await claim('w');
    const ofA = rows.filter((r) => r.runId === a.id && r.delivery.kind !== 'dm');
    const ofB = rows.filter((r) => r.runId === b.id && r.delivery.kind !== 'dm');
    for (const r of [...ofA, ...ofB])
      expect(await as((o) => o.hold(r.id, 'w', 'channel_not_found'))).toBe(true);
    expect(await e.store.read.outbox.earlierHeld(a.id, ofA.at(-1)!.id + 1000)).toBe('channel_not_found');
    expect(await e.store.read.outbox.heldChannels()).toEqual(expect.arrayContaining(['CPRIV', 'COTHER']));
    e.clock.advance(120_000);
    expect((await claim('x')).filter((r) => r.delivery.kind !== 'dm')).toEqual([]);
    const pending = (await e.store.read.outbox.list({ status: 'pending' })).length;
    expect(await e.store.read.outbox.pendingCount()).toBe(pending);

    expect(await as((o) => o.releaseHeld('CPRIV', e.clock.ms))).toEqual({
      count: ofA.length,
      runIds: [a.id],
    });
    const released = (await claim('x')).filter((r) => r.delivery.kind !== 'dm');
    expect(released.map((r) => r.id)).toEqual(ofA.map((r) => r.id));
    expect(released.every((r) => r.attempts === 1)).toBe(true);
    expect((await e.store.read.outbox.list({ runId: b.id, status: 'held' })).length).toBe(ofB.length);
    await e.close();
  });

  it('when senders hold leases, then their names are listed and only the named ones lose them', async () => {
    const { e, as, claim, start } = await setup();
    await start('C1');
    await start('C2');
    const rows = await claim('gone', 60_000);
    expect(await e.store.read.outbox.leaseHolders(e.clock.ms)).toEqual(['gone']);
    expect(await as((o) => o.releaseLeases(['someone-else'], e.clock.ms))).toBe(0);
    expect(await claim('next')).toEqual([]);
    expect(await as((o) => o.releaseLeases(['gone'], e.clock.ms))).toBe(rows.length);
    expect(await e.store.read.outbox.leaseHolders(e.clock.ms)).toEqual([]);
    expect((await claim('next')).map((r) => r.id)).toEqual(rows.map((r) => r.id));
    await e.close();
  });

  it('when a run has held and failed rows, then its problems count them with their errors; a run without a channel has none', async () => {
    const { e, as, claim, start } = await setup();
    const { run } = await start('C1');
    const { run: nowhere } = await start(null);
    const rows = await claim('w');
    const [first, second] = rows.filter((r) => r.runId === run.id);
    await as((o) => o.hold(first!.id, 'w', 'not_in_channel'));
    await as((o) => o.markFailed(second!.id, 'w', 'is_archived', e.clock.ms));
    for (const r of rows.filter((x) => x.runId === nowhere.id))
      await as((o) => o.markFailed(r.id, 'w', 'no_channel', e.clock.ms));
    expect(await e.store.read.outbox.deliveryProblems()).toEqual([
      {
        runId: run.id,
        channelId: 'C1',
        held: 1,
        failed: 1,
        errors: ['not_in_channel', 'is_archived'],
        since: e.clock.ms,
      },
    ]);
    expect(await e.store.read.outbox.deliveryProblems([nowhere.id])).toEqual([]);
    expect(await e.store.read.outbox.deliveryProblems([])).toEqual([]);
    await e.close();
  });
});
