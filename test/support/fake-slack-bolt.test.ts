// The fake Slack and the driver, checked against Bolt apps receiving the driver's requests over
// HTTP and Socket Mode.
import type { AddressInfo } from 'node:net';
import { App, SocketModeReceiver } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, visibleText } from './fake-slack.ts';
import {
  APP_TOKEN,
  BOT_TOKEN,
  block,
  fastRetries,
  SIGNING_SECRET,
  silentLogger,
  useFakeSlack,
} from './fake-slack-setup.ts';
import { createSlackDriver, selectedOption, signSlackRequest, textInput } from './slack-driver.ts';

let fake: FakeSlack;
let client: WebClient;
useFakeSlack((s) => {
  ({ fake, client } = s);
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
