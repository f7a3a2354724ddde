// The outbox worker with a channel that is not Slack: claiming, lanes, pacing, backoff, giving up
// and settling are the worker's, whatever the transport. Real migrated SQLite, test clock.
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery, Notice } from '../../src/domain/notices.ts';
import { silentLogger } from '../../src/logger.ts';
import type { DeliveryChannel, DeliveryOutcome } from '../../src/outbox/channel.ts';
import { createOutboxWorker, type OutboxWorkerOptions } from '../../src/outbox/worker.ts';
import type { OutboxRow } from '../../src/persistence/ports.ts';
import { emptyDigestNotice } from '../support/digest-notice.ts';
import { createTestEngine, type TestEngine } from '../support/engine.ts';
import { virtualSleep } from '../support/outbox.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const digest = (text: string): Notice => emptyDigestNotice(text, 0, text);

/** A transport that records what it delivered, when, and answers as `answer` says. */
function recordingChannel(
  engine: TestEngine,
  answer: (row: OutboxRow) => DeliveryOutcome = () => ({ kind: 'sent', ref: 'ok' }),
) {
  const delivered: { lane: string; text: unknown; at: number }[] = [];
  const failures: { id: number; error: string; attempts: number }[] = [];
  const channel: DeliveryChannel = {
    name: 'recording',
    kinds: ['channel'],
    intervalMs: 1000,
    deliveryTimeoutMs: 5000,
    lanesOf: async (rows) => rows.map((r) => (r.delivery as { channelId: string }).channelId),
    async deliver(row) {
      delivered.push({
        lane: (row.delivery as { channelId: string }).channelId,
        text: (row.notice as { text?: unknown }).text,
        at: engine.clock.ms,
      });
      return answer(row);
    },
    async failed(repos, row, failure, now) {
      failures.push({ id: row.id, ...failure });
      await repos.settings.set(`failed:${row.id}`, failure.error, now);
      return { recorded: true };
    },
  };
  return { channel, delivered, failures };
}

async function setup(channel: (e: TestEngine) => DeliveryChannel, opts: Partial<OutboxWorkerOptions> = {}) {
  const engine = await createTestEngine();
  cleanups.push(() => engine.close());
  const worker = createOutboxWorker({
    store: engine.store,
    channels: [channel(engine)],
    clock: engine.clock.now,
    log: silentLogger,
    workerId: 'w1',
    sleep: (ms) => virtualSleep(engine, ms),
    random: () => 0.5,
    ...opts,
  });
  const enqueue = (items: { delivery: Delivery; notice: Notice }[]) =>
    engine.store.transaction((r) =>
      r.outbox.enqueue(
        items.map((i) => ({ runId: null, ...i })),
        engine.clock.ms,
      ),
    );
  return { engine, worker, enqueue };
}

describe('outbox worker', () => {
  it('when rows go to two destinations, then each lane delivers its rows in order, one interval apart, and the lanes do not wait for each other', async () => {
    let rec!: ReturnType<typeof recordingChannel>;
    const { engine, worker, enqueue } = await setup((e) => {
      rec = recordingChannel(e);
      return rec.channel;
    });
    const t0 = engine.clock.ms;
    await enqueue(
      ['a1', 'b1', 'a2', 'a3', 'b2'].map((text) => ({
        delivery: { kind: 'channel', channelId: text.startsWith('a') ? 'CA' : 'CB' },
        notice: digest(text),
      })),
    );
    await worker.drain(60_000);

    const lane = (id: string) => rec.delivered.filter((d) => d.lane === id);
    expect(lane('CA').map((d) => d.text)).toEqual(['a1', 'a2', 'a3']);
    expect(lane('CB').map((d) => d.text)).toEqual(['b1', 'b2']);
    for (const l of [lane('CA'), lane('CB')])
      for (let i = 1; i < l.length; i++) expect(l[i]!.at - l[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    expect(lane('CB')[0]!.at - t0).toBeLessThan(1000);
    expect(worker.stats()).toMatchObject({ sent: 5, failed: 0 });
    expect(await engine.store.read.outbox.list({ status: 'sent' })).toHaveLength(5);
  });

  it('when the transport keeps asking for another try, then the row is retried with backoff and given up after maxAttempts, with what the channel records in the same transaction', async () => {
    let rec!: ReturnType<typeof recordingChannel>;
    const { engine, worker, enqueue } = await setup(
      (e) => {
        rec = recordingChannel(e, () => ({ kind: 'retry', error: 'busy' }));
        return rec.channel;
      },
      { maxAttempts: 3, backoffMs: 1000 },
    );
    const [id] = await enqueue([{ delivery: { kind: 'channel', channelId: 'CA' }, notice: digest('x') }]);

    await worker.tick();
    expect(await worker.tick()).toBe(0);
    expect(rec.delivered).toHaveLength(1);
    engine.clock.advance(1000);
    await worker.tick();
    engine.clock.advance(2000);
    await worker.tick();

    expect(rec.delivered).toHaveLength(3);
    expect(rec.failures).toEqual([{ id, error: 'busy (gave up after 3 failures)', attempts: 3 }]);
    expect(await engine.store.read.settings.get(`failed:${id}`)).toBe('busy (gave up after 3 failures)');
    const [row] = await engine.store.read.outbox.list();
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(worker.stats()).toMatchObject({ retried: 2, failed: 1 });
  });

  it('when a row is of a kind no channel takes, then it is handed back untouched, not attempted', async () => {
    let rec!: ReturnType<typeof recordingChannel>;
    const { engine, worker, enqueue } = await setup((e) => {
      rec = recordingChannel(e);
      return rec.channel;
    });
    await enqueue([
      { delivery: { kind: 'dm', userId: 'U1' }, notice: digest('dm') },
      { delivery: { kind: 'channel', channelId: 'CA' }, notice: digest('ok') },
    ]);
    await worker.tick();

    expect(rec.delivered.map((d) => d.text)).toEqual(['ok']);
    const dm = (await engine.store.read.outbox.list()).find((r) => r.delivery.kind === 'dm');
    expect(dm).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('when a transaction commits messages, then the started worker claims them at once, without waiting for its poll', async () => {
    let delivered!: (text: string) => void;
    const arrived = new Promise<string>((resolve) => {
      delivered = resolve;
    });
    const { worker, enqueue } = await setup(
      (e) => ({
        ...recordingChannel(e).channel,
        async deliver(row) {
          delivered((row.notice as { text: string }).text);
          return { kind: 'sent', ref: 'ok' };
        },
      }),
      { wakeGapMs: 0 },
    );
    // A poll an hour apart, its first one over (claims run one after another) with nothing to
    // claim: only the commit can start this delivery.
    worker.start(3_600_000);
    cleanups.push(() => worker.stop());
    expect(await worker.tick()).toBe(0);
    await enqueue([{ delivery: { kind: 'channel', channelId: 'CA' }, notice: digest('owed') }]);
    expect(await arrived).toBe('owed');
  });
});
