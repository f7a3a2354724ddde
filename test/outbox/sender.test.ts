// The outbox sender on a real migrated SQLite engine, sending with a real WebClient to the fake
// Slack over HTTP. Time is the engine's test clock; the sender's pacing sleeps advance it.
import { afterEach, describe, expect, it } from 'vitest';
import { type Logger, silentLogger } from '../../src/logger.ts';
import { openDatabase } from '../../src/persistence/sqlite/database.ts';
import { SqliteStore } from '../../src/persistence/sqlite/store.ts';
import { escapeMrkdwn } from '../../src/slack/blocks/limits.ts';
import type { SlackSenderOptions } from '../../src/slack/delivery/sender.ts';
import { createTestEngine, type TestEngine, tempDbPath, userFor } from '../support/engine.ts';
import {
  type FakeMessage,
  type FakeSlack,
  type Fault,
  startFakeSlack,
  visibleText,
} from '../support/fake-slack.ts';
import { createTestSender, startTestRun, testSlackClient } from '../support/outbox.ts';

const CHANNEL = 'CREQ';
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: { path?: string; sender?: Partial<SlackSenderOptions> } = {}) {
  const engine = await createTestEngine({ path: opts.path });
  const fake = await startFakeSlack({ now: engine.clock.now });
  cleanups.push(
    () => engine.close(),
    () => fake.close(),
  );
  const sender = senderFor(engine, fake, engine.store, opts.sender);
  return { engine, fake, sender };
}

const slackClient = testSlackClient;

function senderFor(
  engine: TestEngine,
  fake: FakeSlack,
  store: SqliteStore,
  opts: Partial<SlackSenderOptions> = {},
) {
  return createTestSender(engine, fake, { store, ...opts });
}

/** The warnings a sender logs, with their fields. */
function recordingLogger() {
  const warnings: { msg: string; fields: Record<string, unknown> | undefined }[] = [];
  const log: Logger = { ...silentLogger, warn: (msg, fields) => warnings.push({ msg, fields }) };
  return { log, warnings };
}

const start = startTestRun;

/** Complete the current step as each of its roles, `n` times. */
async function advance(engine: TestEngine, runId: string, n = Number.POSITIVE_INFINITY) {
  let run = await engine.runs.getRun(runId);
  for (let i = 0; i < n && run.status === 'active'; i++) {
    const step = run.steps.find((s) => s.status === 'active')!;
    for (const role of [...step.owners, ...step.approvers]) {
      run = await engine.runs.completeStep(run.id, await engine.as(userFor(role)), {
        output: `${role} did it`,
      });
    }
  }
  return run;
}

const roots = (fake: FakeSlack, channel = CHANNEL) =>
  fake.messages(channel).filter((m) => m.thread_ts === undefined);
const replies = (fake: FakeSlack, channel: string, ts: string) =>
  fake.messages(channel).filter((m) => m.thread_ts === ts && m.ts !== ts);

/** The text each thread message of the run's outbox should show, in order, from the sent rows. */
async function expectedThread(engine: TestEngine, runId: string): Promise<string[]> {
  const rows = await engine.store.read.outbox.list({ runId });
  return rows.filter((r) => r.delivery.kind === 'thread').map((r) => r.notice.type);
}

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

  it('when the channel is archived, then the root and the thread fail with an event, nothing is retried, and the requester is told once by DM', async () => {
    const { engine, fake, sender } = await setup();
    fake.addChannel({ id: CHANNEL, name: 'old-team', archived: true });
    const { run } = await start(engine);
    await sender.drain(60_000);
    engine.clock.advance(60 * 60_000);
    await sender.drain(60_000);

    const rows = await engine.store.read.outbox.list({ runId: run.id });
    expect(rows.every((r) => r.status === 'failed')).toBe(true);
    expect(rows[0]!.lastError).toBe('is_archived');
    const failed = (await engine.store.read.events.forRun(run.id)).filter(
      (e) => e.type === 'delivery_failed',
    );
    expect(failed[0]!.data).toMatchObject({ error: 'is_archived', notice: 'run_started', told: 1 });
    expect(failed.slice(1).every((e) => e.data.error === 'root_message_not_posted')).toBe(true);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.args.channel === CHANNEL)).toHaveLength(1);
    expect(sender.stats().lastFailures[0]).toMatchObject({ error: 'is_archived' });
    // The requester hears it once; the first step's owner hears that the step waits on them.
    const toRequester = fake.messages(fake.dmChannel('UREQ'));
    expect(toRequester.map((m) => visibleText(m))).toEqual([
      expect.stringMatching(new RegExp(`${run.id}.*<#${CHANNEL}> is archived.*will not be retried`)),
    ]);
    const firstStep = run.steps.find((s) => s.status === 'active')!;
    const owner = fake.messages(fake.dmChannel(userFor(firstStep.owners[0]!)));
    expect(owner.map((m) => visibleText(m))).toEqual([
      expect.stringContaining(`Step “${escapeMrkdwn(firstStep.title)}” of *${run.id}*`),
    ]);
    expect(owner[0]!.text).toContain(`<#${CHANNEL}> is archived`);
    expect(owner[0]!.text).toContain('/lead mine');
    expect(await engine.store.read.outbox.deliveryProblems([run.id])).toEqual([
      expect.objectContaining({ runId: run.id, channelId: CHANNEL, held: 0, failed: rows.length }),
    ]);
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

  it('when several root updates are pending, then only the newest is sent, from the current state', async () => {
    const { engine, fake, sender } = await setup();
    const { run } = await start(engine);
    await advance(engine, run.id, 3);
    await sender.drain(60_000);
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    expect(sender.stats().coalesced).toBe(2);
    const root = roots(fake)[0]!;
    const current = (await engine.runs.getRun(run.id)).steps.find((s) => s.status === 'active')!;
    expect(visibleText(root)).toContain(current.title);
    expect(root.history).toHaveLength(1);
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

  it('when a direct message was posted but its answer lost, then the retry finds it in the DM and posts it once', async () => {
    const { engine, fake, sender } = await setup();
    fake.failNext('chat.postMessage', { lostAnswer: 'drop' }, 1, { channel: userFor('Ghabs') });
    await start(engine, { chain: 'incident', severity: 'sev1', title: 'Checkout down', projects: [] });
    await sender.drain(60 * 60_000);
    expect(fake.messages(fake.dmChannel(userFor('Ghabs')))).toHaveLength(1);
    expect(fake.callsTo('conversations.open')).toHaveLength(1);
    expect(sender.stats().adopted).toBe(1);
  });

  it('when the lost post had not reached Slack, then the lookup finds nothing and it is posted once', async () => {
    const { engine, fake, sender } = await setup();
    const { run } = await start(engine);
    fake.failNext('chat.postMessage', { networkDrop: true });
    await sender.drain(60 * 60_000);
    expect(roots(fake)).toHaveLength(1);
    expect(fake.callsTo('conversations.history')).toHaveLength(1);
    expect(sender.stats().adopted).toBe(0);
    expect((await engine.runs.getRun(run.id)).rootTs).toBe(roots(fake)[0]!.ts);
  });

  it('when the bot is not in the run’s private channel, then the requester is told at once how to invite it, the messages wait (no retry loop), and go out in order once it joins', async () => {
    const { engine, fake, sender } = await setup();
    fake.addChannel({ id: 'CPRIV', name: 'secret', isPrivate: true, isMember: false });
    fake.setStrictChannels(true);
    const { run } = await start(engine, { channelId: 'CPRIV' });
    await advance(engine, run.id, 1);
    await sender.drain(60_000);

    const told = fake.messages(fake.dmChannel('UREQ'));
    expect(told.map((m) => visibleText(m))).toEqual([
      expect.stringMatching(new RegExp(`${run.id}.*cannot start in <#CPRIV> yet.*/invite @ProjectLead`)),
    ]);
    const rows = await engine.store.read.outbox.list({ runId: run.id });
    // Root updates are dropped: the root shows the run's state when it goes out.
    const owed = rows.filter((r) => r.delivery.kind === 'root' || r.delivery.kind === 'thread');
    expect(owed.map((r) => r.status)).toEqual(owed.map(() => 'held'));
    expect(await engine.store.read.outbox.pendingCount()).toBe(0);
    const events = await engine.store.read.events.forRun(run.id);
    expect(events.filter((e) => e.type === 'delivery_held')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ error: 'channel_not_found', told: 1 }) }),
    ]);
    expect(events.filter((e) => e.type === 'delivery_failed')).toEqual([]);
    expect(await engine.store.read.outbox.deliveryProblems([run.id])).toEqual([
      expect.objectContaining({ runId: run.id, channelId: 'CPRIV', held: owed.length, failed: 0 }),
    ]);
    // Hours later nothing was tried again: one refused post, no loop.
    engine.clock.advance(6 * 60 * 60_000);
    await sender.drain(60_000);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'CPRIV')).toHaveLength(1);

    // Invited: the held messages go out, root first, the thread in order.
    fake.addChannel({ id: 'CPRIV', name: 'secret', isPrivate: true, isMember: true });
    const released = await engine.store.transaction((r) => r.outbox.releaseHeld('CPRIV', engine.clock.ms));
    expect(released).toEqual({ count: owed.length, runIds: [run.id] });
    await sender.drain(60 * 60_000);
    const [root] = roots(fake, 'CPRIV');
    expect(roots(fake, 'CPRIV')).toHaveLength(1);
    expect(replies(fake, 'CPRIV', root!.ts)).toHaveLength((await expectedThread(engine, run.id)).length);
    expect(visibleText(root!)).toContain(run.id);
    expect(await engine.store.read.outbox.deliveryProblems([run.id])).toEqual([]);
    expect(fake.messages(fake.dmChannel('UREQ'))).toHaveLength(1);
  });

  it('when Slack refuses a direct message for good, then the requester is told to whom it failed, and that person is not messaged again', async () => {
    const { engine, fake, sender } = await setup();
    const ghabs = userFor('Ghabs');
    fake.failNext('chat.postMessage', { error: 'user_not_found' }, 1, { channel: ghabs });
    const { run } = await start(engine, {
      chain: 'incident',
      severity: 'sev1',
      title: 'Checkout down',
      projects: [],
    });
    await sender.drain(60 * 60_000);
    expect(fake.messages(fake.dmChannel(ghabs))).toEqual([]);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.args.channel === ghabs)).toHaveLength(1);
    expect(fake.messages(fake.dmChannel('UREQ')).map((m) => m.text)).toEqual([
      expect.stringContaining(
        `of *${run.id}* “Checkout down” to <@${ghabs}>: Slack refused it (\`user_not_found\`)`,
      ),
    ]);
  });

  it('when the playbook requires a notification, then it goes to the thread and to each person directly', async () => {
    const { engine, fake, sender } = await setup();
    await start(engine, { chain: 'incident', severity: 'sev1', title: 'Checkout down', projects: [] });
    await sender.drain(60_000);
    const dm = fake.messages(fake.dmChannel(userFor('Ghabs')));
    expect(dm).toHaveLength(1);
    expect(dm[0]!.text).toContain(`<@${userFor('Ghabs')}>`);
    const inThread = fake
      .messages(CHANNEL)
      .filter((m) => m.thread_ts && m.text?.includes(`<@${userFor('Ghabs')}>`));
    expect(inThread.length).toBeGreaterThan(0);
  });

  it('when two senders share one database file, then no row is sent twice and threads stay in order', async () => {
    const path = tempDbPath('outbox');
    const { engine, fake } = await setup({ path });
    const other = new SqliteStore(openDatabase(path));
    cleanups.push(() => other.close());
    // Within one process two connections would busy-wait on each other's write lock; two
    // processes queue on it. Queue the stores' transactions as the lock would.
    queueTransactions([engine.store, other]);
    const channels = ['C1', 'C2', 'C3', 'C4'];
    const runs = [];
    for (const channelId of channels) {
      const { run } = await start(engine, { channelId });
      runs.push(await advance(engine, run.id, 2));
    }
    const a = senderFor(engine, fake, engine.store, { workerId: 'a', batchSize: 3 });
    const b = senderFor(engine, fake, other, { workerId: 'b', batchSize: 3 });
    // Rounds of concurrent ticks: virtual time must not run ahead of real HTTP calls in flight
    // (a drain loop that only waits would race the clock past the lease while a call is open).
    for (let round = 0; round < 40 && (await engine.store.read.outbox.pendingCount()) > 0; round++) {
      await Promise.all([a.tick(), b.tick()]);
      engine.clock.advance(1000);
    }

    expect(a.stats().sent).toBeGreaterThan(0);
    expect(b.stats().sent).toBeGreaterThan(0);
    const rows = await engine.store.read.outbox.list();
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    const posted = fake.callsTo('chat.postMessage').filter((c) => !c.fault);
    expect(posted).toHaveLength(rows.filter((r) => r.delivery.kind !== 'root_update').length);
    for (const run of runs) {
      const root = roots(fake, run.channelId!);
      expect(root).toHaveLength(1);
      const thread = replies(fake, run.channelId!, root[0]!.ts);
      expect(thread.map(kindOf)).toEqual(await expectedThread(engine, run.id));
    }
  });
});

/** Which notice a thread message shows, from its wording. */
function kindOf(m: FakeMessage): string {
  const text = m.text ?? '';
  if (m.blocks?.some((b) => b.type === 'actions')) return 'handoff';
  if (text.includes(' done')) return 'step_done';
  return text;
}

function queueTransactions(stores: SqliteStore[]) {
  let tail: Promise<unknown> = Promise.resolve();
  for (const store of stores) {
    const own = store.transaction.bind(store);
    store.transaction = <T>(fn: Parameters<typeof own<T>>[0]) => {
      const result = tail.then(() => own(fn));
      tail = result.catch(() => undefined);
      return result;
    };
  }
}
