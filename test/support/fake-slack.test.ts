// The fake Slack and the driver, checked against the real clients the bot uses: a WebClient
// pointed at the fake, and Bolt apps receiving the driver's requests over HTTP and Socket Mode.
import type { AddressInfo } from 'node:net';
import { App, type Logger, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack, visibleText } from './fake-slack.ts';
import { createSlackDriver, selectedOption, signSlackRequest, textInput } from './slack-driver.ts';

const SIGNING_SECRET = 'test-signing-secret';
const BOT_TOKEN = 'xoxb-test-token';
const APP_TOKEN = 'xapp-1-test-token';

const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

const fastRetries = { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 10 };

let fake: FakeSlack;
let client: WebClient;

beforeAll(async () => {
  fake = await startFakeSlack({ botUserId: 'UBOT', teamId: 'T1' });
  client = new WebClient(BOT_TOKEN, {
    slackApiUrl: fake.apiUrl,
    retryConfig: fastRetries,
    logger: silentLogger,
  });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const block = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('Web API through a real WebClient', () => {
  it('when the app posts, updates and replies, then the fake keeps the thread with the updates applied', async () => {
    expect(fake.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, user_id: 'UBOT', team_id: 'T1', bot_id: expect.any(String) });

    const root = await client.chat.postMessage({
      channel: 'C1',
      text: 'New Feature FEAT-1',
      blocks: [block('*FEAT-1*')],
    });
    expect(root.ts).toMatch(/^\d{10}\.\d{6}$/);
    const reply = await client.chat.postMessage({
      channel: 'C1',
      thread_ts: root.ts!,
      text: 'handoff <@U1>',
    });
    expect(Number(reply.ts)).toBeGreaterThan(Number(root.ts));
    await client.chat.update({ channel: 'C1', ts: root.ts!, text: 'New Feature FEAT-1 (done)' });

    const [first, second] = fake.messages('C1');
    expect(first).toMatchObject({ ts: root.ts, user: 'UBOT', text: 'New Feature FEAT-1 (done)' });
    expect(first?.blocks).toEqual([block('*FEAT-1*')]); // kept: the update left blocks out, as Slack does
    expect(first?.history).toHaveLength(1);
    expect(second).toMatchObject({ thread_ts: root.ts, text: 'handoff <@U1>' });
    expect(fake.thread('C1', root.ts!)).toHaveLength(2);
    expect(visibleText(first!)).toContain('*FEAT-1*');
    expect(fake.callsTo('chat.postMessage')[0]).toMatchObject({ token: BOT_TOKEN, args: { channel: 'C1' } });

    const link = await client.chat.getPermalink({ channel: 'C1', message_ts: reply.ts! });
    expect(link.permalink).toBe(
      `https://fake.slack.test/archives/C1/p${reply.ts!.replace('.', '')}?thread_ts=${root.ts}&cid=C1`,
    );
    await client.chat.postEphemeral({ channel: 'C1', user: 'U2', text: 'only you' });
    expect(fake.ephemerals('U2')).toMatchObject([
      { channel: 'C1', text: 'only you', via: 'chat.postEphemeral' },
    ]);
  });

  it('when a call is rate limited, then the 429 carries Retry-After and WebClient waits that long', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const rawResponse = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'C1', text: 'x' }),
    });
    expect(rawResponse.status).toBe(429);
    expect(rawResponse.headers.get('retry-after')).toBe('1');

    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    await client.chat.postMessage({ channel: 'C1', text: 'after the limit' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.callsTo('chat.postMessage').map((c) => c.fault)).toEqual([
      { status: 429, retryAfter: 1 },
      { status: 429, retryAfter: 1 },
      undefined,
    ]);
    expect(fake.messages('C1').map((m) => m.text)).toEqual(['after the limit']);
  });

  it('when a call gets a 500, then WebClient retries it; past its retries the error surfaces', async () => {
    fake.failNext('chat.postMessage', { status: 500 });
    await client.chat.postMessage({ channel: 'C1', text: 'second try' });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);

    fake.failNext('chat.update', { status: 500 }, 2);
    await expect(client.chat.update({ channel: 'C1', ts: '1.000000', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_http_error',
      statusCode: 500,
    });
    fake.failNext('chat.postMessage', { networkDrop: true }, 2);
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_request_error',
    });
  });

  it('when channels are missing, archived or without the bot, then posting fails as in Slack', async () => {
    fake.addChannel({ id: 'CARCH', name: 'old', archived: true });
    fake.addChannel({ id: 'COUT', name: 'elsewhere', isMember: false });
    const platformError = (error: string) => ({
      code: 'slack_webapi_platform_error',
      data: { ok: false, error },
    });
    await expect(client.chat.postMessage({ channel: 'CARCH', text: 'x' })).rejects.toMatchObject(
      platformError('is_archived'),
    );
    await expect(client.chat.postMessage({ channel: 'COUT', text: 'x' })).rejects.toMatchObject(
      platformError('not_in_channel'),
    );
    await client.chat.postMessage({ channel: 'CANY', text: 'lenient by default' });
    await expect(
      client.chat.postMessage({ channel: 'CANY', text: 'x', blocks: Array(51).fill(block('b')) }),
    ).rejects.toMatchObject(platformError('invalid_blocks'));
    fake.setStrictChannels(true);
    await expect(client.chat.postMessage({ channel: 'CNONE', text: 'x' })).rejects.toMatchObject(
      platformError('channel_not_found'),
    );
    fake.failNext('chat.postEphemeral', { error: 'user_not_in_channel' });
    await expect(client.chat.postEphemeral({ channel: 'CANY', user: 'U1', text: 'x' })).rejects.toMatchObject(
      platformError('user_not_in_channel'),
    );
  });

  it('when a call to one channel hangs, then calls to other channels are answered, and the hung one drops when released', async () => {
    const noRetry = new WebClient(BOT_TOKEN, {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
      logger: silentLogger,
    });
    fake.failNext('chat.postMessage', { hang: true }, 1, { channel: 'CSLOW' });
    const hung = noRetry.chat.postMessage({ channel: 'CSLOW', text: 'stuck' });
    await fake.waitFor((f) => f.hungCount === 1, { what: 'the hung call' });
    await noRetry.chat.postMessage({ channel: 'CFAST', text: 'goes out' });
    expect(fake.messages().map((m) => m.text)).toEqual(['goes out']);
    fake.releaseHung();
    await expect(hung).rejects.toMatchObject({ code: 'slack_webapi_request_error' });
    expect(fake.messages('CSLOW')).toEqual([]);
  });

  it('when the answer is lost after the post, then the message is in Slack and history shows its metadata only when asked', async () => {
    const noRetry = new WebClient(BOT_TOKEN, {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
      logger: silentLogger,
    });
    const metadata = { event_type: 'projectlead_outbox', event_payload: { outbox_id: 7 } };
    fake.failNext('chat.postMessage', { lostAnswer: 'drop' });
    await expect(noRetry.chat.postMessage({ channel: 'C1', text: 'root', metadata })).rejects.toMatchObject({
      code: 'slack_webapi_request_error',
    });
    const [root] = fake.messages('C1');
    expect(root).toMatchObject({ text: 'root', metadata });
    const reply = await noRetry.chat.postMessage({
      channel: 'C1',
      thread_ts: root!.ts,
      text: 'reply',
      metadata: { event_type: 'projectlead_outbox', event_payload: { outbox_id: 8 } },
    });
    expect(reply.message?.metadata).toMatchObject({ event_payload: { outbox_id: 8 } });

    const plain = await noRetry.conversations.history({ channel: 'C1' });
    expect(plain.messages?.map((m) => [m.text, m.metadata])).toEqual([['root', undefined]]);
    const withMeta = await noRetry.conversations.history({ channel: 'C1', include_all_metadata: true });
    expect(withMeta.messages?.[0]?.metadata).toEqual(metadata);
    const thread = await noRetry.conversations.replies({
      channel: 'C1',
      ts: root!.ts,
      include_all_metadata: true,
    });
    expect(
      thread.messages?.map((m) => [m.text, (m.metadata?.event_payload as { outbox_id?: number })?.outbox_id]),
    ).toEqual([
      ['root', 7],
      ['reply', 8],
    ]);
    await expect(
      noRetry.chat.postMessage({ channel: 'C1', text: 'x', metadata: { event_type: 'bad type!' } as never }),
    ).rejects.toMatchObject({ data: { error: 'invalid_metadata_format' } });
  });

  it('when history is read by time and page, then oldest, latest and cursors work as in Slack', async () => {
    // Ahead of every ts the fake gave out so far (they only ever increase).
    const start = Math.ceil(Date.now() / 1000) * 1000 + 24 * 3_600_000;
    let now = start;
    fake.setClock(() => now);
    try {
      const posted = [];
      for (let i = 0; i < 5; i++) {
        posted.push((await client.chat.postMessage({ channel: 'C2', text: `m${i}` })).ts!);
        now += 1000;
      }
      expect(posted[0]).toBe(`${start / 1000}.000000`);
      const recent = await client.conversations.history({ channel: 'C2', oldest: posted[1] });
      expect(recent.messages?.map((m) => m.text)).toEqual(['m4', 'm3', 'm2']);
      const first = await client.conversations.history({ channel: 'C2', limit: 2 });
      expect(first.messages?.map((m) => m.text)).toEqual(['m4', 'm3']);
      expect(first.has_more).toBe(true);
      const next = await client.conversations.history({
        channel: 'C2',
        limit: 2,
        cursor: first.response_metadata!.next_cursor!,
      });
      expect(next.messages?.map((m) => m.text)).toEqual(['m2', 'm1']);
      fake.addChannel({ id: 'CPRIV', name: 'secret', isPrivate: true, isMember: false });
      await expect(client.conversations.history({ channel: 'CPRIV' })).rejects.toMatchObject({
        data: { error: 'channel_not_found' },
      });
    } finally {
      fake.setClock(Date.now);
    }
  });

  it('when the app looks up users, DMs and groups, then it gets the configured directory', async () => {
    fake.addUser({ id: 'U1', name: 'ada', realName: 'Ada L', tz: 'Europe/Paris' });
    fake.addUsergroup('S1', ['U1', 'U2']);
    const info = await client.users.info({ user: 'U1' });
    expect(info.user).toMatchObject({ id: 'U1', real_name: 'Ada L', tz: 'Europe/Paris' });
    expect([3600, 7200]).toContain(info.user?.tz_offset);
    expect((await client.users.info({ user: 'U9' })).user).toMatchObject({ id: 'U9', tz: 'UTC' });
    const dm = await client.conversations.open({ users: 'U1' });
    expect(dm.channel?.id).toMatch(/^D/);
    await client.chat.postMessage({ channel: 'U1', text: 'to the DM' });
    expect(fake.messages(dm.channel!.id!)).toHaveLength(1);
    expect((await client.usergroups.users.list({ usergroup: 'S1' })).users).toEqual(['U1', 'U2']);
    expect((await client.conversations.info({ channel: 'C7' })).channel).toMatchObject({
      id: 'C7',
      is_archived: false,
    });
    expect(
      await client.apiCall('reactions.add', { channel: 'C1', name: 'x', timestamp: '1.0' }),
    ).toMatchObject({
      ok: true,
    });
    expect(fake.callsTo('reactions.add')).toHaveLength(1);
  });

  it('when views are opened, the trigger must be fresh and unused; updates check the hash; home views are kept', async () => {
    let now = 1_000_000;
    fake.setClock(() => now);
    const modal = {
      type: 'modal' as const,
      callback_id: 'declare_incident',
      title: { type: 'plain_text' as const, text: 'Declare incident' },
      submit: { type: 'plain_text' as const, text: 'Declare' },
      blocks: [
        { type: 'input', block_id: 'title', label: { type: 'plain_text', text: 'Title' }, element: {} },
      ],
    };
    const trigger = fake.issueTrigger('U1');
    const opened = await client.views.open({ trigger_id: trigger, view: modal });
    expect(opened.view).toMatchObject({ id: expect.stringMatching(/^V/), callback_id: 'declare_incident' });
    expect(fake.views[0]).toMatchObject({ user: 'U1', callback_id: 'declare_incident' });
    const viewsError = (error: string) => ({ data: { error } });
    await expect(client.views.open({ trigger_id: trigger, view: modal })).rejects.toMatchObject(
      viewsError('exchanged_trigger_id'),
    );
    const late = fake.issueTrigger('U1');
    now += 3001;
    await expect(client.views.open({ trigger_id: late, view: modal })).rejects.toMatchObject(
      viewsError('expired_trigger_id'),
    );
    await expect(
      client.views.open({ trigger_id: fake.issueTrigger('U1'), view: { ...modal, submit: undefined } }),
    ).rejects.toMatchObject(viewsError('invalid_arguments'));

    await expect(
      client.views.update({ view_id: opened.view!.id!, hash: 'stale', view: modal }),
    ).rejects.toMatchObject(viewsError('hash_conflict'));
    await client.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: modal });
    expect(fake.views[0]?.history).toHaveLength(2);

    const home = { type: 'home' as const, blocks: [block('Your steps')] };
    await client.views.publish({ user_id: 'U1', view: home });
    await client.views.publish({ user_id: 'U1', view: { ...home, blocks: [block('Nothing waiting')] } });
    expect(fake.homeViews('U1').map((v) => visibleText({ blocks: v.blocks as never }))).toEqual([
      'Your steps',
      'Nothing waiting',
    ]);
  });

  it('when waiting for something that never comes, then waitFor rejects with the recent calls', async () => {
    await client.chat.postMessage({ channel: 'C1', text: 'x' });
    await expect(
      fake.waitFor((f) => f.messages('C2')[0], { timeoutMs: 50, what: 'a post in C2' }),
    ).rejects.toThrow(/a post in C2 not met within 50 ms; last calls: chat.postMessage/);
    setTimeout(() => void client.chat.postMessage({ channel: 'C2', text: 'later' }), 20);
    const later = await fake.waitFor((f) => f.messages('C2')[0]);
    expect(later.text).toBe('later');
  });
});

describe('a Bolt app over HTTP, driven by signed requests', () => {
  let app: App;
  let appUrl: string;

  beforeAll(async () => {
    app = new App({
      token: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      logger: silentLogger,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: fastRetries },
    });
    app.command('/lead', async ({ ack, command, respond, say }) => {
      await ack();
      await respond({ text: `status for ${command.user_id}` });
      await say({ text: `run started by <@${command.user_id}>` });
    });
    app.shortcut('declare_incident', async ({ ack, shortcut, client: web }) => {
      await ack();
      await web.views.open({
        trigger_id: shortcut.trigger_id,
        view: {
          type: 'modal',
          callback_id: 'declare_incident',
          private_metadata: 'meta',
          title: { type: 'plain_text', text: 'Declare incident' },
          submit: { type: 'plain_text', text: 'Declare' },
          blocks: [
            {
              type: 'input',
              block_id: 'severity',
              label: { type: 'plain_text', text: 'Severity' },
              element: { type: 'static_select', action_id: 'severity_select', options: [] },
            },
          ],
        },
      });
    });
    app.view('declare_incident', async ({ ack, view }) => {
      const severity = view.state.values.severity?.severity_select?.selected_option?.value;
      if (severity !== 'sev1') {
        await ack({ response_action: 'errors', errors: { severity: 'Pick sev1' } });
        return;
      }
      await ack();
    });
    app.action('step_done', async ({ ack, respond, body }) => {
      await ack();
      await respond({ replace_original: true, text: `done by ${body.user.id}` });
    });
    app.event('app_mention', async ({ event, say, context }) => {
      await say({ text: `retry ${context.retryNum ?? 0}`, thread_ts: event.ts });
    });
    app.event('app_home_opened', async ({ event, client: web }) => {
      await web.views.publish({
        user_id: event.user,
        view: { type: 'home', blocks: [block(`hi ${event.user}`)] },
      });
    });
    const server = (await app.start(0)) as unknown as { address(): AddressInfo };
    appUrl = `http://127.0.0.1:${server.address().port}/slack/events`;
  });
  afterAll(() => app.stop());

  it('when a signed slash command arrives, then the app acks and replies via respond and say', async () => {
    const driver = createSlackDriver({ appUrl, signingSecret: SIGNING_SECRET, fake });
    const res = await driver.slashCommand({
      command: '/lead',
      text: 'status',
      userId: 'U1',
      channelId: 'C1',
    });
    expect(res.status).toBe(200);
    const said = await fake.waitFor((f) => f.messages('C1')[0]);
    expect(said.text).toBe('run started by <@U1>');
    const response = await fake.waitFor((f) => f.responses[0]);
    expect(response).toMatchObject({
      body: { text: 'status for U1' },
      context: { channelId: 'C1', userId: 'U1' },
    });
    expect(fake.ephemerals('U1')).toMatchObject([{ text: 'status for U1', via: 'response_url' }]);
  });

  it('when the signature or timestamp is wrong or the body malformed, then Bolt answers 401 or 400', async () => {
    const driver = createSlackDriver({ appUrl, signingSecret: SIGNING_SECRET, fake });
    const body = 'command=%2Flead&text=help&user_id=U1&channel_id=C1';
    expect((await driver.raw({ body, signature: 'v0=deadbeef' })).status).toBe(401);
    expect((await driver.raw({ body, signature: null })).status).toBe(401);
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 360;
    expect((await driver.raw({ body, timestamp: sixMinutesAgo })).status).toBe(401);
    const stale = createSlackDriver({
      appUrl,
      signingSecret: SIGNING_SECRET,
      fake,
      clock: () => Date.now() - 360_000,
    });
    expect((await stale.slashCommand({ text: 'help', userId: 'U1', channelId: 'C1' })).status).toBe(401);
    expect((await driver.raw({ body: '{not json', contentType: 'application/json' })).status).toBe(400);
    expect(fake.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  });

  it('Bolt itself accepts a timestamp 6 minutes in the future: the app must reject those itself', async () => {
    const future = createSlackDriver({
      appUrl,
      signingSecret: SIGNING_SECRET,
      fake,
      clock: () => Date.now() + 360_000,
    });
    expect((await future.slashCommand({ text: 'help', userId: 'U1', channelId: 'C1' })).status).toBe(200);
    await fake.waitFor((f) => f.messages('C1')[0]);
  });

  it('when a message shortcut opens a modal and it is submitted, then the view ack answers field errors', async () => {
    const driver = createSlackDriver({ appUrl, signingSecret: SIGNING_SECRET, fake });
    const res = await driver.messageShortcut({
      callbackId: 'declare_incident',
      userId: 'U1',
      channelId: 'C1',
      message: { ts: '1700000000.000001', text: 'db is down', user: 'U2' },
    });
    expect(res.status).toBe(200);
    const view = await fake.waitFor((f) => f.views[0]);
    expect(view).toMatchObject({ user: 'U1', callback_id: 'declare_incident', private_metadata: 'meta' });

    const rejected = await driver.viewSubmission({
      userId: 'U1',
      values: { severity: { severity_select: selectedOption('sev3') } },
    });
    expect(rejected.json).toEqual({ response_action: 'errors', errors: { severity: 'Pick sev1' } });
    const accepted = await driver.viewSubmission({
      userId: 'U1',
      viewId: view.id,
      view: {
        state: {
          values: { severity: { severity_select: selectedOption('sev1') }, title: { t: textInput('x') } },
        },
      },
    });
    expect(accepted).toMatchObject({ status: 200, body: '' });
  });

  it('when a button is pressed on a bot message, then respond(replace_original) updates that message', async () => {
    const driver = createSlackDriver({ appUrl, signingSecret: SIGNING_SECRET, fake });
    const posted = await client.chat.postMessage({
      channel: 'C1',
      text: 'handoff',
      blocks: [
        {
          type: 'actions',
          block_id: 'step',
          elements: [
            {
              type: 'button',
              action_id: 'step_done',
              value: 'FEAT-1:spec',
              text: { type: 'plain_text', text: 'Done' },
            },
          ],
        },
      ],
    });
    const res = await driver.blockAction({
      userId: 'U3',
      channelId: 'C1',
      messageTs: posted.ts!,
      actionId: 'step_done',
    });
    expect(res.status).toBe(200);
    const updated = await fake.waitFor((f) => f.messages('C1')[0]?.history[0]);
    expect(updated).toMatchObject({ text: 'done by U3', via: 'response_url' });
    expect(fake.responses[0]?.context).toMatchObject({ messageTs: posted.ts });
  });

  it('when an app_mention is redelivered, then the retry headers reach Bolt', async () => {
    const driver = createSlackDriver({ appUrl, signingSecret: SIGNING_SECRET, fake });
    const ts = driver.newTs();
    const event = { type: 'app_mention', user: 'U1', text: '<@UBOT> feature x', channel: 'C1', ts };
    expect((await driver.event(event, { eventId: 'Ev1' })).status).toBe(200);
    expect(
      (await driver.event(event, { eventId: 'Ev1', retryNum: 1, retryReason: 'http_timeout' })).status,
    ).toBe(200);
    await fake.waitFor((f) => f.thread('C1', ts).length === 2);
    expect(fake.thread('C1', ts).map((m) => m.text)).toEqual(['retry 0', 'retry 1']);
  });

  it('when a user opens the app home, then the published home view is kept for that user', async () => {
    const driver = createSlackDriver({ appUrl, signingSecret: SIGNING_SECRET, fake });
    expect((await driver.appHomeOpened('U5')).status).toBe(200);
    const home = await fake.waitFor((f) => f.homeViews('U5')[0]);
    expect(visibleText({ blocks: home.blocks as never })).toBe('hi U5');
  });
});

describe('a Bolt app in Socket Mode, connected to the fake', () => {
  it('when it starts, then it connects through apps.connections.open and acks envelopes over the socket', async () => {
    const app = new App({
      token: BOT_TOKEN,
      appToken: APP_TOKEN,
      socketMode: true,
      logger: silentLogger,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: fastRetries },
    });
    app.command('/lead', async ({ ack, command }) => {
      await ack({ response_type: 'ephemeral', text: `help for ${command.user_id}` });
    });
    app.event('app_mention', async ({ event, say }) => {
      await say({ text: 'on it', thread_ts: event.ts });
    });
    app.view('declare_incident', async ({ ack }) => {
      await ack({ response_action: 'errors', errors: { severity: 'Pick one' } });
    });
    await app.start();
    try {
      expect(fake.callsTo('apps.connections.open')[0]?.token).toBe(APP_TOKEN);
      const socket = createSlackDriver({ appUrl: 'unused', signingSecret: SIGNING_SECRET, fake }).viaSocket();
      const ack = await socket.slashCommand({ text: 'help', userId: 'U1', channelId: 'C1' });
      expect(ack.json).toEqual({ response_type: 'ephemeral', text: 'help for U1' });

      const ts = socket.newTs();
      const eventAck = await socket.event({
        type: 'app_mention',
        user: 'U1',
        text: '<@UBOT> hi',
        channel: 'C1',
        ts,
      });
      expect(eventAck).toMatchObject({ status: 200, body: '' });
      expect((await fake.waitFor((f) => f.thread('C1', ts)[0])).text).toBe('on it');

      const viewAck = await socket.viewSubmission({
        userId: 'U1',
        view: { callback_id: 'declare_incident' },
      });
      expect(viewAck.json).toEqual({ response_action: 'errors', errors: { severity: 'Pick one' } });
    } finally {
      await app.stop();
    }
  });

  it('when Slack sends disconnect, then the client reconnects with a fresh URL', async () => {
    const receiver = new SocketModeReceiver({
      appToken: APP_TOKEN,
      logger: silentLogger,
      clientPingTimeout: 300, // the reconnect delay is a multiple of it
      installerOptions: { clientOptions: { slackApiUrl: fake.apiUrl } },
    });
    const app = new App({
      token: BOT_TOKEN,
      receiver,
      logger: silentLogger,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: fastRetries },
    });
    app.command('/lead', async ({ ack }) => {
      await ack({ text: 'pong' });
    });
    await app.start();
    try {
      fake.socket.disconnect('refresh_requested');
      await fake.waitFor(
        (f) => f.callsTo('apps.connections.open').length === 2 && f.socket.openConnections === 1,
        {
          timeoutMs: 4000,
        },
      );
      const ack = await createSlackDriver({ appUrl: 'unused', signingSecret: SIGNING_SECRET, fake })
        .viaSocket()
        .slashCommand({ text: 'ping', userId: 'U1', channelId: 'C1' });
      expect(ack.json).toEqual({ text: 'pong' });
    } finally {
      await app.stop();
    }
  });
});

describe('signing', () => {
  it('signs as Slack documents: v0=hex(hmac_sha256(secret, v0:ts:body))', () => {
    // The example from Slack's "Verifying requests from Slack" guide.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });
});
