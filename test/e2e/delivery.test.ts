// What reaches Slack when Slack refuses or stalls, end to end: the real app against the fake
// Slack. A run requested in a private channel the bot is not in waits for an invitation (the
// requester is told at once on the command's response_url) and goes out when the bot joins
// (member_joined_channel); one channel's hung chat.postMessage never holds up another's.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Harness,
  newestRun,
  postedRun,
  startHarness,
  threadOf,
  userFor,
} from '../support/app-harness.ts';
import { visibleText } from '../support/fake-slack.ts';

const REQUESTER = 'UREQUESTER';
const PRIVATE = 'CPRIVATE';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  h.fake.releaseHung();
  await h.close();
});

describe('delivery when Slack refuses or stalls', () => {
  it('when a run is requested in a private channel the bot is not in, then the requester is told at once how to invite it, status shows the wait, and the run goes out when the bot joins', async () => {
    h.fake.addChannel({ id: PRIVATE, name: 'secret-project', isPrivate: true, isMember: false });
    await h.slack.slashCommand({
      text: 'feature Dark mode for the dashboard',
      userId: REQUESTER,
      channelId: PRIVATE,
    });
    const told = await h.fake.waitFor(
      (f) => f.ephemerals(REQUESTER).find((e) => e.text?.includes('/invite @ProjectLead')),
      { what: 'the invitation hint' },
    );
    expect(told).toMatchObject({ channel: PRIVATE, via: 'response_url' });
    const run = await newestRun(h);
    expect(told.text).toContain(`${run.id}`);
    expect(told.text).toContain(`<#${PRIVATE}>`);
    // Told on the response_url: no DM as well.
    expect(h.fake.messages(h.fake.dmChannel(REQUESTER))).toEqual([]);

    await h.slack.slashCommand({ text: `status ${run.id}`, userId: REQUESTER, channelId: PRIVATE });
    const status = await h.fake.waitFor((f) =>
      f.ephemerals(REQUESTER).find((e) => visibleText(e).includes('waiting')),
    );
    expect(visibleText(status)).toMatch(
      /message(s)? waiting: I can't see <#CPRIVATE>.*\/invite @ProjectLead/,
    );

    // Invited: Slack tells the bot it joined.
    h.fake.addChannel({ id: PRIVATE, name: 'secret-project', isPrivate: true, isMember: true });
    await h.slack.event({
      type: 'member_joined_channel',
      user: h.fake.botUserId,
      channel: PRIVATE,
      channel_type: 'C',
      inviter: REQUESTER,
    });
    const posted = await postedRun(h, run.id);
    const thread = await h.fake.waitFor(
      () => {
        const t = threadOf(h, posted);
        return t.length >= 2 ? t : null;
      },
      { what: 'the first handoff in the thread' },
    );
    expect(visibleText(thread[0]!)).toContain(run.id);
    const firstStep = posted.steps.find((s) => s.status === 'active')!;
    expect(thread[1]!.text).toContain(`<@${userFor(firstStep.owners[0]!)}>`);
    const events = await h.core.store.read.events.forRun(run.id);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['delivery_held', 'delivery_resumed']));
  });

  it('when the bot was invited while it was down (the join event missed), then its held messages go out when it starts again', async () => {
    h.fake.addChannel({ id: PRIVATE, name: 'secret-project', isPrivate: true, isMember: false });
    await h.slack.slashCommand({
      text: 'bug Export fails for every CSV',
      userId: REQUESTER,
      channelId: PRIVATE,
    });
    await h.fake.waitFor((f) => f.ephemerals(REQUESTER).find((e) => e.text?.includes('/invite')));
    const run = await newestRun(h);
    // Invited while it restarts: no join event reaches it.
    h.fake.addChannel({ id: PRIVATE, name: 'secret-project', isPrivate: true, isMember: true });
    await h.restart();
    const posted = await postedRun(h, run.id);
    expect(posted.channelId).toBe(PRIVATE);
    expect(h.fake.callsTo('conversations.info').map((c) => c.args.channel)).toContain(PRIVATE);
  });

  it('when one channel’s chat.postMessage hangs, then an incident requested in another channel has its first message out within 1 s', async () => {
    h.fake.failNext('chat.postMessage', { hang: true }, 1, { channel: 'CSLOW' });
    await h.core.runs.startRun({
      chain: 'feature',
      title: 'Slow channel',
      text: 'Dark mode',
      requester: REQUESTER,
      channelId: 'CSLOW',
      source: 'slash',
    });
    await h.fake.waitFor((f) => f.hungCount === 1, { what: 'the hung call' });

    const asked = h.clock.now();
    await h.slack.slashCommand({
      text: 'incident sev1 Checkout is down for every user',
      userId: REQUESTER,
      channelId: 'CINCIDENTS',
    });
    const first = await h.fake.waitFor(
      (f) => f.messages('CINCIDENTS').find((m) => m.thread_ts === undefined),
      { what: 'the incident’s first message' },
    );
    expect(h.fake.hungCount).toBe(1);
    expect(visibleText(first)).toContain('INC-');
    expect(first.postedAt - asked).toBeLessThan(1000);
  });
});
