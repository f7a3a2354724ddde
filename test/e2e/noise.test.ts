// Noise never starts a run: markup, punctuation, emoji, a greeting, a bare link or a mention
// alone, through `/lead` or a mention, get a short ephemeral asking for a description. Nothing
// is started, stored or sent to anyone else; a chain word with noise after it pages nobody.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION, BLOCK, CALLBACK } from '../../src/slack/ids.ts';
import { type Harness, newestRun, outboxSettled, startHarness } from '../support/app-harness.ts';
import { type FakeEphemeral, visibleText } from '../support/fake-slack.ts';
import { selectedOption, textInput } from '../support/slack-driver.ts';
import { submit } from './walk.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const runCount = async () => (await h.core.store.read.runs.list()).length;
/** Calls that would reach people other than the requester. */
const postsToOthers = () =>
  h.fake.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'conversations.open').length;

let users = 0;
/** A fresh user per request, so each answer is told apart. */
const newUser = () => `UNOISE${++users}`;

async function answerTo(user: string): Promise<FakeEphemeral> {
  return h.fake.waitFor((f) => f.ephemerals(user)[0], { what: `the answer to ${user}` });
}

// As Slack sends them: `<`, `>` and `&` escaped, links and mentions in angle brackets.
const NOISE: [string, string][] = [
  ['a script tag', '&lt;script&gt;alert(1)&lt;/script&gt;'],
  ['an HTML payload', '&lt;img src=x onerror=alert(1)&gt;'],
  ['question marks', '???'],
  ['punctuation only', '!!! ...'],
  ['an emoji code', ':fire:'],
  ['emoji only', '🔥 :rotating_light: :rotating_light:'],
  ['a greeting', 'hi'],
  ['a test', 'test 123'],
  ['a bare link', '<https://status.example.com/incidents/42>'],
  ['a dashboard link', '<https://grafana.example.com/d/api-errors>'],
  ['a mention only', '<@U0OTHER|maria>'],
  ['@here only', '<!here>'],
  ['numbers only', '404 500'],
];

describe('noise through /lead', () => {
  it.each(
    NOISE,
  )('when the text is %s (%j), then no run starts and the requester is asked to describe it', async (_what, text) => {
    const user = newUser();
    const runs = await runCount();
    const posts = postsToOthers();
    const res = await h.driver.slashCommand({ text, userId: user, channelId: 'CNOISE' });
    expect(res.status).toBe(200);
    const answer = await answerTo(user);
    expect(answer.via).toBe('response_url');
    expect(visibleText(answer)).toMatch(/Nothing was started/);
    expect(visibleText(answer)).toMatch(/\/lead Checkout crashes on Safari/);
    // A description is asked for: no workflow is offered to start.
    expect(JSON.stringify(answer.blocks ?? [])).not.toContain(ACTION.chooseChain);
    expect(await runCount()).toBe(runs);
    expect(postsToOthers()).toBe(posts);
  });

  it('when a chain word comes with noise only, then that chain does not start and the requester is asked what it is about', async () => {
    for (const text of [
      'incident ???',
      'incident :fire: <!here>',
      'bug hi',
      'incident',
      'feature <https://x.io>',
    ]) {
      const user = newUser();
      const runs = await runCount();
      const posts = postsToOthers();
      await h.driver.slashCommand({ text, userId: user, channelId: 'CNOISE' });
      const answer = await answerTo(user);
      const said = visibleText(answer);
      expect(said, text).toMatch(
        /Nothing was started: say what the (Incident Response|Bug Fix|New Feature) is about/,
      );
      expect(said, text).toMatch(/`\/lead (incident|bug|feature) [A-Z]/);
      expect(await runCount(), text).toBe(runs);
      expect(postsToOthers(), text).toBe(posts);
    }
  });

  it('when one word names a workflow ("outage"), then nothing starts: the requester is asked which workflow and what it is', async () => {
    const user = newUser();
    const runs = await runCount();
    await h.driver.slashCommand({ text: 'outage', userId: user, channelId: 'CNOISE' });
    const answer = await answerTo(user);
    expect(JSON.stringify(answer.blocks)).toContain(ACTION.chooseChain);
    expect(visibleText(answer)).toMatch(/says too little/);
    expect(await runCount()).toBe(runs);
  });

  it('when a real request follows, then it still starts at once', async () => {
    const runs = await runCount();
    await h.driver.slashCommand({
      text: 'incident checkout API returns 500 for everyone since 14:05',
      userId: newUser(),
      channelId: 'CNOISE',
    });
    const run = await newestRun(h);
    expect(await runCount()).toBe(runs + 1);
    expect(run).toMatchObject({ chain: 'incident', severity: 'sev1' });
    await outboxSettled(h);
  });
});

describe('noise through a mention and the incident form', () => {
  it('when the bot is mentioned with noise only, then no run starts and the answer, in the thread, uses the mention', async () => {
    for (const text of [':fire:', '&lt;script&gt;alert(1)&lt;/script&gt;', 'hi', 'incident ???']) {
      const user = newUser();
      const runs = await runCount();
      const posts = postsToOthers();
      const ts = h.driver.newTs();
      await h.driver.event({
        type: 'app_mention',
        user,
        text: `<@${h.fake.botUserId}> ${text}`,
        channel: 'CNOISE',
        ts,
      });
      const answer = await answerTo(user);
      expect(answer).toMatchObject({ via: 'chat.postEphemeral', thread_ts: ts });
      expect(visibleText(answer), text).toMatch(/Nothing was started/);
      expect(visibleText(answer), text).toContain('`@ProjectLead ');
      expect(await runCount(), text).toBe(runs);
      expect(postsToOthers(), text).toBe(posts);
    }
  });

  it('when a declared incident has no words of its own, then the form says so on the description and nothing starts', async () => {
    const msg = h.fake.addMessage({ channel: 'CNOISE', user: 'UREPORTER', text: ':fire:' });
    const user = newUser();
    await h.driver.messageShortcut({
      callbackId: CALLBACK.declareIncident,
      userId: user,
      channelId: 'CNOISE',
      message: { ts: msg.ts, text: msg.text!, user: 'UREPORTER' },
    });
    const view = await h.fake.waitFor((f) =>
      f.views.find((v) => v.user === user && v.callback_id === CALLBACK.declareIncidentModal),
    );
    const runs = await runCount();
    const answer = await submit(h, view, user, {
      [BLOCK.title]: { [BLOCK.title]: textInput('???') },
      [BLOCK.description]: { [BLOCK.description]: textInput(':fire: :fire:') },
      [BLOCK.severity]: { [BLOCK.severity]: selectedOption('sev1') },
    });
    expect(answer).toEqual({
      response_action: 'errors',
      errors: { [BLOCK.description]: expect.stringMatching(/Say what is happening/) },
    });
    expect(await runCount()).toBe(runs);
  });
});
