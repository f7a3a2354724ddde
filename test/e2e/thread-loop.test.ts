// Two apps cannot loop: a bot that answers every message it sees with a mention of ProjectLead
// gets at most a few answers a minute in a thread, none of them mentioning it; ProjectLead's own
// messages never act.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWERS_PER_MINUTE } from '../../src/slack/answer-limit.ts';
import { type Harness, newestRun, postedRun, startHarness, threadOf } from '../support/app-harness.ts';
import { visibleText } from '../support/fake-slack.ts';
import { agent, say } from './thread-say.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const settle = () => new Promise((r) => setTimeout(r, 150));

describe('the loop guard', () => {
  it('a bot answering everything it sees gets a bounded number of answers, none mentioning it', async () => {
    await h.driver.slashCommand({
      text: 'feature Export the report as CSV',
      userId: 'UREQ',
      channelId: 'CLOOP',
    });
    const run = await postedRun(h, (await newestRun(h)).id);
    const echo = agent(h, 'UECHOBOT', 'EchoBot');
    const answers = () => threadOf(h, run).filter((m) => m.user === h.fake.botUserId && !m.metadata);
    let sent = 0;
    // The echo bot replies to each new message of ours it sees (and once to start).
    let seen = -1;
    for (let i = 0; i < 30; i++) {
      const now = answers().length;
      if (now === seen) break;
      seen = now;
      await say(h, run, echo, `you said: ${i}`);
      sent++;
      await settle();
    }
    const ours = answers();
    expect(ours.length).toBe(ANSWERS_PER_MINUTE);
    expect(sent).toBe(ANSWERS_PER_MINUTE + 1);
    for (const m of ours) {
      expect(visibleText(m)).not.toContain('<@UECHOBOT>');
      expect(visibleText(m)).toMatch(/done \[step\]/);
    }
    expect(await h.core.store.read.runs.count()).toBe(1);
    // A minute later (the injected clock), it is answered again.
    h.clock.advance(61_000);
    await say(h, run, echo, 'still there?');
    await settle();
    expect(answers().length).toBe(ANSWERS_PER_MINUTE + 1);
  });

  it('an event Slack delivers twice acts once', async () => {
    const run = await postedRun(h, (await newestRun(h)).id);
    const ts = h.driver.newTs();
    const event = {
      type: 'app_mention',
      user: 'UGHABS',
      text: `<@${h.fake.botUserId}> block waiting on the budget`,
      channel: run.channelId!,
      ts,
      thread_ts: run.threadTs!,
    };
    await h.driver.event(event);
    await settle();
    const once = await h.core.runs.getRun(run.id);
    expect(once.status).toBe('blocked');
    await h.driver.event(event, { retryNum: 1, retryReason: 'timeout' });
    await settle();
    expect((await h.core.runs.getRun(run.id)).version).toBe(once.version);
    expect(h.fake.ephemerals('UGHABS')).toEqual([]);
  });

  it('an event Slack delivers again to another process (a restart here) acts once, and is not answered', async () => {
    await h.driver.slashCommand({
      text: 'feature Import contacts from CSV',
      userId: 'UREQ',
      channelId: 'CONCE',
    });
    const run = await postedRun(h, (await newestRun(h)).id);
    const event = {
      type: 'app_mention',
      user: 'UGHABS',
      text: `<@${h.fake.botUserId}> block waiting on the legal review`,
      channel: run.channelId!,
      ts: h.driver.newTs(),
      thread_ts: run.threadTs!,
    };
    await h.driver.event(event);
    await settle();
    const once = await h.core.runs.getRun(run.id);
    expect(once.status).toBe('blocked');
    const events = (await h.core.store.read.events.forRun(run.id)).length;
    // A new process remembers nothing of the first delivery; the database does.
    await h.restart();
    await h.driver.event(event, { retryNum: 1, retryReason: 'http_timeout' });
    await settle();
    expect((await h.core.runs.getRun(run.id)).version).toBe(once.version);
    console.log(
      (await h.core.store.read.events.forRun(run.id))
        .slice(events - 1)
        .map((e) => [e.type, e.actor, JSON.stringify(e.data).slice(0, 200)]),
    );
    expect((await h.core.store.read.events.forRun(run.id)).length).toBe(events);
    expect(h.fake.ephemerals('UGHABS')).toEqual([]);
  });

  it("ProjectLead's own messages never act", async () => {
    const run = await postedRun(h, (await newestRun(h)).id);
    const before = await h.core.runs.getRun(run.id);
    const ts = h.driver.newTs();
    const text = `<@${h.fake.botUserId}> done vision_scope`;
    await h.driver.event({
      type: 'app_mention',
      bot_id: h.fake.botId,
      user: h.fake.botUserId,
      text,
      channel: run.channelId!,
      ts,
      thread_ts: run.threadTs!,
    });
    await settle();
    const after = await h.core.runs.getRun(run.id);
    expect(after.version).toBe(before.version);
    expect(threadOf(h, run).filter((m) => Number(m.ts) > Number(ts))).toEqual([]);
  });
});
