// What Slack refused of a run's messages shows where people look: the outbox's held and failed
// rows per run, the digest's section of its own, `/lead status`'s warning line, and the
// member_joined_channel listener releasing what was held. Real SQLite, the fake Slack.
import { afterEach, describe, expect, it } from 'vitest';
import type { HandlerDeps } from '../../handlers/deps.ts';
import { memberJoinedChannel } from '../../handlers/events/member-joined-channel.ts';
import { createDeliveryService } from '../../src/services/delivery-service.ts';
import { createDigestService } from '../../src/services/digests/digest-service.ts';
import { buildRunStatus, withDeliveryProblems } from '../../src/slack/blocks/index.ts';
import { createTestEngine, type TestEngine } from '../support/engine.ts';
import { startFakeSlack, visibleText } from '../support/fake-slack.ts';
import { createTestSender } from '../support/outbox.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const engine = await createTestEngine();
  const fake = await startFakeSlack({ now: engine.clock.now, strictChannels: true });
  cleanups.push(
    () => engine.close(),
    () => fake.close(),
  );
  fake.addChannel({ id: 'CPRIV', name: 'secret', isPrivate: true, isMember: false });
  fake.addChannel({ id: 'COLD', name: 'old-team', archived: true });
  fake.addChannel({ id: 'COK', name: 'team' });
  const sender = createTestSender(engine, fake);
  const deliveries = createDeliveryService({ store: engine.store, clock: engine.clock.now });
  return { engine, fake, sender, deliveries };
}

const start = (engine: TestEngine, channelId: string, title: string) =>
  engine.runs.startRun({
    chain: 'feature',
    title,
    text: title,
    requester: 'UREQ',
    channelId,
    source: 'slash',
  });

/** The listener as Bolt calls it. */
function join(
  deliveries: ReturnType<typeof createDeliveryService>,
  user: string,
  channel: string,
  botUserId?: string,
) {
  const listener = memberJoinedChannel({ deliveries } as unknown as HandlerDeps);
  return listener({
    event: { type: 'member_joined_channel', user, channel, channel_type: 'C', team: 'T1', event_ts: '1.0' },
    context: botUserId ? { botUserId } : {},
  } as unknown as Parameters<typeof listener>[0]);
}

describe('refused messages, where people see them', () => {
  it('when one run waits for an invitation and another’s channel is archived, then status and the digest say so, and a sound run shows nothing', async () => {
    const { engine, fake, sender, deliveries } = await setup();
    const { run: waiting } = await start(engine, 'CPRIV', 'Secret <b>thing</b>');
    const { run: archived } = await start(engine, 'COLD', 'Old channel');
    const { run: sound } = await start(engine, 'COK', 'All good');
    await sender.drain(60 * 60_000);

    const problems = await deliveries.problems([waiting.id, archived.id, sound.id]);
    expect(problems).toEqual([
      expect.objectContaining({
        runId: waiting.id,
        channelId: 'CPRIV',
        failed: 0,
        errors: ['channel_not_found'],
      }),
      expect.objectContaining({ runId: archived.id, channelId: 'COLD', held: 0 }),
    ]);
    expect(problems[0]!.held).toBeGreaterThan(0);
    expect(problems[1]!.errors).toEqual(['is_archived', 'root_message_not_posted']);

    const status = (runId: string) =>
      engine.runs
        .getRun(runId)
        .then(async (run) =>
          visibleText(
            withDeliveryProblems(
              buildRunStatus(run),
              await deliveries.problems([run.id]),
            ) as unknown as Parameters<typeof visibleText>[0],
          ),
        );
    expect(await status(waiting.id)).toMatch(
      /messages? waiting: I can't see <#CPRIV>.*`\/invite @ProjectLead`/,
    );
    expect(await status(archived.id)).toMatch(
      /could not be posted in <#COLD> \(`is_archived`, `root_message_not_posted`\)/,
    );
    expect(await status(sound.id)).not.toContain(':warning:');

    const digests = createDigestService({
      store: engine.store,
      clock: engine.clock.now,
      timeZone: 'UTC',
      channel: 'CALGO',
      playbooks: engine.playbooks,
      workerId: 'w1',
    });
    const { digest, markdown } = await digests.dryRun('daily');
    expect(digest.deliveryProblems?.map((p) => p.id)).toEqual([waiting.id, archived.id]);
    expect(markdown).toContain('## Messages Slack refused (2)');
    expect(markdown).toMatch(new RegExp(`${waiting.id}.*waiting for the bot to be invited`));
    expect(markdown).toMatch(new RegExp(`${archived.id} Old channel: \\d+ not posted \\(is_archived`));
    expect(fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'COLD')).toHaveLength(1);
  });

  it('when members join, then only the bot’s own join (or any, while its ID is unknown) releases what waits, and a bad channel changes nothing', async () => {
    const { engine, fake, sender, deliveries } = await setup();
    const { run } = await start(engine, 'CPRIV', 'Secret');
    await sender.drain(60_000);
    const held = async () => (await engine.store.read.outbox.list({ status: 'held' })).length;
    expect(await held()).toBeGreaterThan(0);

    await join(deliveries, 'USOMEONE', 'CPRIV', 'UBOT');
    expect(await held()).toBeGreaterThan(0);
    await expect(join(deliveries, 'UBOT', 'not a channel', 'UBOT')).rejects.toMatchObject({
      code: 'bad_channel',
    });
    expect(await held()).toBeGreaterThan(0);

    fake.addChannel({ id: 'CPRIV', name: 'secret', isPrivate: true, isMember: true });
    await join(deliveries, 'UBOT', 'CPRIV');
    expect(await held()).toBe(0);
    await sender.drain(60 * 60_000);
    expect(fake.messages('CPRIV').filter((m) => m.thread_ts === undefined)).toHaveLength(1);
    const events = await engine.store.read.events.forRun(run.id);
    expect(events.filter((e) => e.type === 'delivery_resumed')).toEqual([
      expect.objectContaining({ data: { channelId: 'CPRIV' } }),
    ]);
  });
});
