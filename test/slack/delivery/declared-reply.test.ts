// A run declared from a message (the incident shortcut) is linked from that message's thread by
// a reply that goes through the outbox: after the run's root message, once, and held with the
// run's messages while the bot is not in the channel. Real SQLite, the fake Slack over HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestEngine } from '../../support/engine.ts';
import { startFakeSlack, visibleText } from '../../support/fake-slack.ts';
import { createTestSender } from '../../support/outbox.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(backoffMs = 1000) {
  const engine = await createTestEngine();
  const fake = await startFakeSlack({ now: engine.clock.now });
  cleanups.push(
    () => engine.close(),
    () => fake.close(),
  );
  return { engine, fake, sender: createTestSender(engine, fake, { backoffMs }) };
}

const declare = (
  engine: Awaited<ReturnType<typeof setup>>['engine'],
  place: { channelId: string; threadTs: string },
  keys: string[] = ['view:V1'],
) =>
  engine.runs.startRun({
    chain: 'incident',
    severity: 'sev2',
    title: 'Payments failing',
    text: 'Payments are failing for everyone',
    requester: 'UREQ',
    channelId: place.channelId,
    source: 'shortcut',
    idempotencyKeys: keys,
    replyIn: place,
  });

describe('the reply where a run was declared', () => {
  it('when an incident is declared from a message and its root message first fails, then the message’s thread gets one reply linking to the run’s root, posted after the root', async () => {
    // The root is retried long after the run's other messages fall due.
    const { engine, fake, sender } = await setup(30_000);
    fake.failNext('chat.postMessage', { status: 500 });
    const parent = fake.addMessage({ channel: 'CSRC', user: 'UREPORTER', text: 'Payments look odd' });
    const place = { channelId: 'CSRC', threadTs: parent.ts };
    const { run } = await declare(engine, place);
    // The same submission again (Slack retried it): no second run, no second reply.
    expect((await declare(engine, place)).created).toBe(false);
    await sender.drain(60 * 60_000);

    const posted = await engine.runs.getRun(run.id);
    const replies = fake.thread('CSRC', parent.ts).filter((m) => m.ts !== parent.ts);
    expect(replies).toHaveLength(1);
    expect(visibleText(replies[0]!)).toContain(`declared ${run.id} (SEV2)`);
    expect(visibleText(replies[0]!)).toContain(
      `https://fake.slack.test/archives/CSRC/p${posted.rootTs!.replace('.', '')}`,
    );
    const root = fake.callsTo('chat.postMessage').findIndex((c) => c.args.thread_ts === undefined);
    const reply = fake.callsTo('chat.postMessage').findIndex((c) => c.args.thread_ts === parent.ts);
    expect(root).toBeGreaterThanOrEqual(0);
    expect(reply).toBeGreaterThan(root);
  });

  it('when the bot is not in the channel, then the reply waits with the run’s messages and goes out after the root once the bot joins', async () => {
    const { engine, fake, sender } = await setup();
    fake.addChannel({ id: 'CPRIV', name: 'secret', isPrivate: true, isMember: false });
    fake.setStrictChannels(true);
    const place = { channelId: 'CPRIV', threadTs: '1700000000.000100' };
    const { run } = await declare(engine, place);
    await sender.drain(60_000);
    const rows = await engine.store.read.outbox.list({ runId: run.id });
    expect(rows.find((r) => r.notice.type === 'run_declared')).toMatchObject({ status: 'held' });

    fake.addChannel({ id: 'CPRIV', name: 'secret', isPrivate: true, isMember: true });
    await engine.store.transaction((r) => r.outbox.releaseHeld('CPRIV', engine.clock.ms));
    await sender.drain(60 * 60_000);
    const calls = fake.callsTo('chat.postMessage').filter((c) => !c.fault && c.args.channel === 'CPRIV');
    const root = calls.findIndex((c) => c.args.thread_ts === undefined);
    const reply = calls.findIndex((c) => c.args.thread_ts === place.threadTs);
    expect(root).toBeGreaterThanOrEqual(0);
    expect(reply).toBeGreaterThan(root);
    expect(calls.filter((c) => c.args.thread_ts === place.threadTs)).toHaveLength(1);
  });
});
