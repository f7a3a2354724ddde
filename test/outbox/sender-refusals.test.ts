// The outbox sender on a real migrated SQLite engine, sending with a real WebClient to the fake
// Slack over HTTP. Here: what Slack refuses (archived and private channels, refused DMs), answers
// lost after a post, notifications in the thread and by DM, and two senders on one database.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/persistence/sqlite/database.ts';
import { SqliteStore } from '../../src/persistence/sqlite/store.ts';
import { escapeMrkdwn } from '../../src/slack/blocks/limits.ts';
import { tempDbPath, userFor } from '../support/engine.ts';
import { visibleText } from '../support/fake-slack.ts';
import {
  advance,
  CHANNEL,
  cleanups,
  closeAll,
  expectedThread,
  kindOf,
  queueTransactions,
  replies,
  roots,
  senderFor,
  setup,
  start,
} from './sender-support.ts';

afterEach(closeAll);

describe('outbox sender', () => {
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
    queueTransactions([engine.store as SqliteStore, other]);
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
