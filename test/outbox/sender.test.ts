// The outbox sender on a real migrated SQLite engine, sending with a real WebClient to the fake
// Slack over HTTP. Time is the engine's test clock; the sender's pacing sleeps advance it.
// Here: pacing per channel, order in the thread, retries and backoff, root updates.
import { afterEach, describe, expect, it } from 'vitest';
import { userFor } from '../support/engine.ts';
import { type Fault, visibleText } from '../support/fake-slack.ts';
import {
  advance,
  CHANNEL,
  closeAll,
  expectedThread,
  recordingLogger,
  replies,
  roots,
  senderFor,
  setup,
  slackClient,
  start,
} from './sender-support.ts';

afterEach(closeAll);

describe('outbox sender', () => {
  it('when one channel has a long backlog, then a message for another channel goes out at once, not after it', async () => {
    const { engine, fake, sender } = await setup();
    const { run } = await start(engine);
    await advance(engine, run.id);
    // While the busy channel's tick runs, another channel's run starts.
    const t0 = engine.clock.ms;
    const busy = sender.tick();
    const { run: other } = await start(engine, { channelId: 'COTHER', title: 'Other team' });
    await sender.tick();
    await busy;
    expect(roots(fake, 'COTHER').map((m) => visibleText(m))).toEqual([expect.stringContaining(other.id)]);
    expect(engine.clock.ms - t0).toBeLessThan(1000);
    await sender.drain(60 * 60_000);
    expect(replies(fake, CHANNEL, roots(fake)[0]!.ts).length).toBeGreaterThan(15);
  });

  it('when a chain is walked, then its messages arrive once, in order, in the run thread, paced per channel', async () => {
    const { engine, fake, sender } = await setup();
    const { run } = await start(engine);
    await advance(engine, run.id);
    await sender.drain(60 * 60_000);

    const [root] = roots(fake);
    expect(roots(fake)).toHaveLength(1);
    const saved = await engine.runs.getRun(run.id);
    expect(saved.rootTs).toBe(root!.ts);
    expect(saved.threadTs).toBe(root!.ts);
    const thread = replies(fake, CHANNEL, root!.ts);
    const types = await expectedThread(engine, run.id);
    expect(thread).toHaveLength(types.length);
    // Handoffs mention their owners, in the order the chain runs.
    const handoffs = thread.filter((m) => m.blocks?.some((b) => b.type === 'actions'));
    expect(handoffs.map((m) => /<@(U[A-Z]+)>/.exec(m.text ?? '')?.[1])).toEqual(
      saved.steps.filter((s) => s.status === 'done').map((s) => userFor(s.owners[0]!)),
    );
    expect(visibleText(thread.at(-1)!)).toContain('complete');
    expect(visibleText(root!)).toContain('Done');
    for (const m of fake.messages()) expect(String(m.args.unfurl_links)).toBe('false');

    const pending = await engine.store.read.outbox.list({ status: 'pending' });
    expect(pending).toEqual([]);
    // About one message a second in the channel.
    const times = fake.calls.filter((c) => c.args.channel === CHANNEL).map((c) => c.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(sender.stats().sent).toBeGreaterThan(thread.length);
  });

  it('when Slack answers 429 with Retry-After, then the root waits that long, the thread waits for it, and it arrives once', async () => {
    const { engine, fake, sender } = await setup();
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 3 });
    const { run } = await start(engine);

    expect(await sender.tick()).toBe(0);
    expect(sender.stats().rateLimited).toBe(1);
    expect(fake.messages()).toHaveLength(0);
    engine.clock.advance(2000);
    expect(await sender.tick()).toBe(0);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    engine.clock.advance(1000);
    await sender.drain(60_000);

    expect(roots(fake)).toHaveLength(1);
    const root = roots(fake)[0]!;
    expect(replies(fake, CHANNEL, root.ts).length).toBe((await expectedThread(engine, run.id)).length);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.fault)).toHaveLength(1);
  });

  it('when Slack answers 500 or drops the connection, then the message is retried with backoff and arrives once', async () => {
    const { engine, fake, sender } = await setup();
    fake.failNext('chat.postMessage', { status: 500 });
    fake.failNext('chat.postMessage', { networkDrop: true });
    await start(engine);

    await sender.tick();
    expect(sender.stats().retried).toBe(1);
    const [row] = await engine.store.read.outbox.list({ status: 'pending' });
    expect(row!.lastError).toContain('http_500');
    engine.clock.advance(1000);
    await sender.tick();
    expect(sender.stats().retried).toBe(2);
    engine.clock.advance(2000);
    await sender.drain(60_000);

    expect(roots(fake)).toHaveLength(1);
    expect(fake.callsTo('chat.postMessage').filter((c) => !c.fault)).toHaveLength(fake.messages().length);
  });

  it('when rows wait for the run’s root and the channel’s pace, then waiting is no attempt: each sent row shows one', async () => {
    const { engine, sender } = await setup();
    const { run } = await start(engine);
    await advance(engine, run.id, 3);
    await sender.drain(60 * 60_000);

    expect(sender.stats().waited).toBeGreaterThan(5);
    const rows = await engine.store.read.outbox.list({ runId: run.id });
    expect(
      rows.filter((r) => r.status === 'sent' && r.lastError?.startsWith('waiting:')).length,
    ).toBeGreaterThan(5);
    expect(rows.map((r) => [r.id, r.status, r.attempts])).toEqual(rows.map((r) => [r.id, 'sent', 1]));
  });

  it('when Slack answers 429 twice and then 500, then only the 500 is an attempt, and it is retried, not given up', async () => {
    const { engine, fake, sender } = await setup({ sender: { maxAttempts: 2 } });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 2);
    fake.failNext('chat.postMessage', { status: 500 });
    const { run } = await start(engine);
    const root = async () => (await engine.store.read.outbox.list({ runId: run.id }))[0]!;

    for (let i = 0; i < 2; i++) {
      await sender.tick();
      expect(await root()).toMatchObject({ status: 'pending', attempts: 0 });
      engine.clock.advance(1000);
    }
    await sender.tick();
    expect(await root()).toMatchObject({ status: 'pending', attempts: 1, lastError: 'http_500' });
    expect(sender.stats()).toMatchObject({ rateLimited: 2, retried: 1, failed: 0 });
    engine.clock.advance(2000);
    await sender.drain(60_000);

    expect(await root()).toMatchObject({ status: 'sent', attempts: 2 });
    expect(roots(fake)).toHaveLength(1);
    const events = await engine.store.read.events.forRun(run.id);
    expect(events.filter((e) => e.type === 'delivery_failed')).toEqual([]);
  });

  it.each<[string, Fault | null]>([
    ['posted', null],
    ['failed with a 500', { status: 500 }],
    ['refused with channel_not_found', { error: 'channel_not_found' }],
  ])('when a slow post outlasts the lease and another sender claims the row meanwhile, then what the first learnt (%s) is logged, not recorded', async (_what, fault) => {
    const { engine, fake } = await setup();
    const { log, warnings } = recordingLogger();
    const client = slackClient(fake);
    const post = client.chat.postMessage.bind(client.chat);
    let claimedByB: number[] = [];
    client.chat.postMessage = async (args) => {
      try {
        return await post(args);
      } finally {
        // The call took longer than the lease: another sender has claimed the rows since.
        engine.clock.advance(60_001);
        const rows = await engine.store.transaction((r) =>
          r.outbox.claimDue(engine.clock.ms, 100, 'b', 60_000),
        );
        claimedByB = rows.map((r) => r.id);
      }
    };
    const a = senderFor(engine, fake, engine.store, { workerId: 'a', client, log, leaseMs: 60_000 });
    if (fault) fake.failNext('chat.postMessage', fault);
    const { run } = await start(engine);

    await a.tick();

    const [root, ...rest] = await engine.store.read.outbox.list({ runId: run.id });
    expect(claimedByB).toContain(root!.id);
    expect(root).toMatchObject({ status: 'pending', attempts: 0, lastError: null, resultTs: null });
    expect(rest.every((r) => r.status === 'pending' && r.attempts === 0)).toBe(true);
    expect(a.stats()).toMatchObject({ sent: 0, retried: 0, failed: 0, superseded: 1 });
    expect(warnings).toEqual([
      {
        msg: expect.stringContaining('another sender holds the row'),
        fields: expect.objectContaining({ id: root!.id, worker: 'a' }),
      },
    ]);
    const events = await engine.store.read.events.forRun(run.id);
    expect(events.filter((e) => e.type === 'delivery_failed')).toEqual([]);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);

    if (!fault) {
      // The root message went out: the run keeps it, so the row is not posted a second time.
      const posted = roots(fake)[0]!;
      expect((await engine.runs.getRun(run.id)).rootTs).toBe(posted.ts);
      engine.clock.advance(60_001);
      const next = senderFor(engine, fake, engine.store, { workerId: 'c' });
      await next.drain(60_000);
      expect(roots(fake)).toEqual([posted]);
      expect((await engine.store.read.outbox.list({ runId: run.id }))[0]).toMatchObject({
        status: 'sent',
        resultTs: posted.ts,
      });
      expect(replies(fake, CHANNEL, posted.ts)).toHaveLength(rest.length);
    }
  });

  it('when the failures go on, then the message is given up after maxAttempts and reported', async () => {
    const { engine, fake, sender } = await setup({ sender: { maxAttempts: 3 } });
    fake.failNext('chat.postMessage', { status: 500 }, 3);
    const { run } = await start(engine);
    for (let i = 0; i < 3; i++) {
      await sender.tick();
      engine.clock.advance(10 * 60_000);
    }
    const events = await engine.store.read.events.forRun(run.id);
    const failed = events.filter((e) => e.type === 'delivery_failed');
    expect(failed[0]?.data).toMatchObject({ notice: 'run_started', delivery: 'root', error: 'http_500' });
    expect(String(failed[0]?.data.detail)).toContain('gave up after 3 failures');
  });

  it('when Slack refuses the blocks, then the text alone is sent once more', async () => {
    const { engine, fake, sender } = await setup();
    fake.failNext('chat.postMessage', { error: 'invalid_blocks' });
    const { run } = await start(engine);
    await sender.drain(60_000);
    const [root] = roots(fake);
    expect(root!.blocks).toBeUndefined();
    expect(root!.text).toContain(run.id);
    expect(replies(fake, CHANNEL, root!.ts).length).toBeGreaterThan(0);
  });

  it('when several root updates are owed, then one row carries them and it is sent once, from the current state', async () => {
    const { engine, fake, sender } = await setup();
    const { run } = await start(engine);
    await advance(engine, run.id, 3);
    const updates = (await engine.store.read.outbox.list({ runId: run.id })).filter(
      (r) => r.delivery.kind === 'root_update',
    );
    expect(updates).toHaveLength(1);
    await sender.drain(60_000);
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    const root = roots(fake)[0]!;
    const current = (await engine.runs.getRun(run.id)).steps.find((s) => s.status === 'active')!;
    expect(visibleText(root)).toContain(current.title);
    expect(root.history).toHaveLength(1);
  });

  it('when a root update is being sent as the run changes again, then a newer one is queued and the older, found out of date, is dropped', async () => {
    const { engine, fake, sender } = await setup();
    const { run } = await start(engine);
    await advance(engine, run.id, 1);
    // Another sender holds every message for a second: the root update among them.
    const held = await engine.store.transaction((r) =>
      r.outbox.claimDue(engine.clock.ms, 100, 'another-sender', 1000),
    );
    expect(held.filter((r) => r.delivery.kind === 'root_update')).toHaveLength(1);
    await advance(engine, run.id, 2);
    const updates = (await engine.store.read.outbox.list({ runId: run.id })).filter(
      (r) => r.delivery.kind === 'root_update',
    );
    expect(updates).toHaveLength(2);
    // Its lease runs out unsettled: this sender takes both, drops the older, sends the newer.
    engine.clock.advance(2000);
    await sender.drain(60_000);
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    expect(sender.stats().coalesced).toBe(1);
    const current = (await engine.runs.getRun(run.id)).steps.find((s) => s.status === 'active')!;
    expect(visibleText(roots(fake)[0]!)).toContain(current.title);
  });

  it('when the run came from a mention, then the root is the first reply in the mention thread', async () => {
    const { engine, fake, sender } = await setup();
    const mentionTs = '1700000000.000100';
    const { run } = await start(engine, { source: 'mention', threadTs: mentionTs });
    await advance(engine, run.id, 1);
    await sender.drain(60_000);
    const thread = fake.messages(CHANNEL);
    expect(thread.every((m) => m.thread_ts === mentionTs)).toBe(true);
    const saved = await engine.runs.getRun(run.id);
    expect(saved.rootTs).toBe(thread[0]!.ts);
    expect(saved.threadTs).toBe(mentionTs);
    expect(fake.callsTo('chat.update')[0]!.args.ts).toBe(thread[0]!.ts);
  });

  it('when one channel’s chat.postMessage hangs, then an incident’s first message in another channel goes out within 1 s, while the call still hangs', async () => {
    const { engine, fake, sender } = await setup();
    fake.failNext('chat.postMessage', { hang: true }, 1, { channel: 'CSLOW' });
    await start(engine, { channelId: 'CSLOW' });
    const slow = sender.tick();
    await fake.waitFor((f) => f.hungCount === 1, { what: 'the hung call' });

    const t0 = engine.clock.ms;
    const { run: incident } = await start(engine, {
      chain: 'incident',
      severity: 'sev1',
      title: 'Checkout down',
      channelId: 'CINC',
      projects: [],
    });
    const other = sender.tick();
    const first = await fake.waitFor((f) => roots(f, 'CINC')[0], { what: 'the incident’s first message' });
    expect(fake.hungCount).toBe(1);
    expect(visibleText(first)).toContain(incident.id);
    expect(first.postedAt - t0).toBeLessThan(1000);
    await other;
    fake.releaseHung();
    await slow;
  });

  it.each([
    ['the root message', 1],
    ['a thread reply', 2],
  ])('when Slack posted %s but the connection dropped before the answer, then the retry finds it by its metadata and posts it once', async (_what, nth) => {
    const { engine, fake, sender } = await setup();
    const { run } = await start(engine);
    // One tick posts the root; the channel's pace hands the thread back for later.
    if (nth === 2) expect(await sender.tick()).toBe(1);
    fake.failNext('chat.postMessage', { lostAnswer: 'drop' });
    await sender.drain(60 * 60_000);

    const [root, ...more] = roots(fake);
    expect(more).toEqual([]);
    const thread = replies(fake, CHANNEL, root!.ts);
    expect(thread).toHaveLength((await expectedThread(engine, run.id)).length);
    expect(new Set(thread.map((m) => m.text)).size).toBe(thread.length);
    const rows = await engine.store.read.outbox.list({ runId: run.id });
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    const lost = rows.filter((r) => r.delivery.kind !== 'root_update')[nth - 1]!;
    expect(lost).toMatchObject({ attempts: 2, maybeSent: false });
    expect(lost.resultTs).toBe(nth === 1 ? root!.ts : thread[0]!.ts);
    expect((await engine.runs.getRun(run.id)).rootTs).toBe(root!.ts);
    expect(sender.stats()).toMatchObject({ adopted: 1, retried: 1 });
    const lookup = fake.callsTo(nth === 1 ? 'conversations.history' : 'conversations.replies');
    expect(lookup).toHaveLength(1);
    expect(lookup[0]!.args).toMatchObject({ channel: CHANNEL, include_all_metadata: 'true' });
    for (const m of fake.messages(CHANNEL))
      expect(m.metadata).toMatchObject({ event_payload: { outbox_id: expect.any(Number) } });
  });
});
