// A run's direct messages link to its thread, so they keep the thread's order in the outbox:
// while the run's root message is not in Slack, its DMs wait; then they go out after it, with
// a permalink to the thread. Real SQLite, a real WebClient, the fake Slack over HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestEngine, userFor } from '../support/engine.ts';
import { type FakeSlack, startFakeSlack, visibleText } from '../support/fake-slack.ts';
import { createTestSender, testSlackClient } from '../support/outbox.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A SEV1 incident started in `channel` (Ghabs and Atlas are told in the thread and directly),
 * and a sender that links DMs with the workspace URL from the fake's auth.test.
 */
async function sev1Incident(channel: string, prepare?: (fake: FakeSlack) => void) {
  const engine = await createTestEngine();
  const fake = await startFakeSlack({ now: engine.clock.now });
  cleanups.push(
    () => engine.close(),
    () => fake.close(),
  );
  prepare?.(fake);
  const client = testSlackClient(fake);
  const sender = createTestSender(engine, fake, {
    client,
    permalinkBase: async () => String((await client.auth.test()).url),
  });
  const { run } = await engine.runs.startRun({
    chain: 'incident',
    severity: 'sev1',
    title: 'Checkout is down',
    text: 'Checkout is down for everyone',
    requester: 'UREQ',
    channelId: channel,
    source: 'slash',
  });
  return { engine, fake, sender, run };
}

describe('direct messages of a run', () => {
  it('when the root message is held up, then the DMs wait for it and go out after the thread, linking to it', async () => {
    // A SEV1 incident: Ghabs and Atlas are told in the thread and directly.
    const { engine, fake, sender, run } = await sev1Incident('CINC');
    const rows = await engine.store.read.outbox.list({ runId: run.id });
    expect(rows.filter((r) => r.delivery.kind === 'dm').map((r) => r.delivery)).toEqual([
      { kind: 'dm', userId: userFor('Ghabs') },
      { kind: 'dm', userId: userFor('Atlas') },
    ]);

    // Another sender holds the root message (a slow call): its lease keeps it from this one.
    const [root] = await engine.store.transaction((repos) =>
      repos.outbox.claimDue(engine.clock.ms, 1, 'other', 60_000),
    );
    expect(root!.delivery.kind).toBe('root');
    await sender.tick();
    expect(fake.messages()).toEqual([]);

    // It hands the root back: the root goes out, then the thread, then the DMs.
    await engine.store.transaction((repos) =>
      repos.outbox.handBack(root!.id, 'other', engine.clock.ms, 'slow'),
    );
    await sender.drain(60_000);
    expect(await engine.store.read.outbox.pendingCount()).toBe(0);
    const posted = await engine.runs.getRun(run.id);
    const all = fake.messages();
    const rootAt = all.findIndex((m) => m.channel === 'CINC' && m.ts === posted.rootTs);
    // Channels send in their own lanes: a DM follows every thread reply written before it.
    const sent = await engine.store.read.outbox.list({ runId: run.id });
    const link = `https://fake.slack.test/archives/CINC/p${posted.rootTs!.replace('.', '')}`;
    for (const who of [userFor('Ghabs'), userFor('Atlas')]) {
      const [dm] = fake.messages(fake.dmChannel(who));
      const dmRow = sent.find((r) => r.delivery.kind === 'dm' && r.delivery.userId === who)!;
      const before = sent
        .filter((r) => r.delivery.kind === 'thread' && r.id < dmRow.id)
        .map((r) => all.findIndex((m) => m.channel === 'CINC' && m.ts === r.resultTs));
      expect(before.length).toBeGreaterThan(0);
      expect(before).not.toContain(-1);
      expect(all.indexOf(dm!)).toBeGreaterThan(rootAt);
      expect(all.indexOf(dm!)).toBeGreaterThan(Math.max(...before));
      expect(visibleText(dm!)).toContain(`<${link}|Open the thread of ${run.id}>`);
    }
  });

  it('when the root message can never be posted, then the DMs still go out, without a link', async () => {
    const { engine, fake, sender, run } = await sev1Incident('CGONE', (fake) =>
      fake.addChannel({ id: 'CGONE', name: 'gone', archived: true }),
    );
    await sender.drain(60_000);
    expect(await engine.store.read.outbox.pendingCount()).toBe(0);
    for (const who of [userFor('Ghabs'), userFor('Atlas')]) {
      const [dm] = fake.messages(fake.dmChannel(who));
      expect(visibleText(dm!)).toContain(run.id);
      expect(visibleText(dm!)).not.toContain('Open the thread');
    }
  });
});
