// Requests that are not Slack's: a bad signature, a timestamp more than 5 minutes off in either
// direction (401), a malformed body or one encoded as Slack never sends it (400), a body over the
// limit (413, read by the client). None has an effect, none stops the bot.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../../src/slack/receiver-http.ts';
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from '../support/app-harness.ts';
import { createSlackDriver, signSlackRequest } from '../support/slack-driver.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const body = new URLSearchParams({
  command: '/lead',
  text: 'feature Should never start',
  user_id: 'UEVIL',
  channel_id: CHANNEL,
  team_id: 'T0FAKETEAM',
  response_url: 'http://127.0.0.1:1/nowhere',
  trigger_id: 'x',
}).toString();

async function nothingHappened() {
  expect(await h.core.store.read.runs.count()).toBe(0);
  expect(
    h.fake.calls.filter((c) => c.method !== 'auth.test' && c.method !== 'usergroups.users.list'),
  ).toEqual([]);
  const health = await fetch(`http://127.0.0.1:${h.app.port}/healthz`);
  expect(health.status).toBe(200);
}

describe('requests from outside Slack', () => {
  it('when the signature is wrong or missing, then 401 and nothing happens', async () => {
    expect((await h.driver.raw({ body, signature: 'v0=deadbeef' })).status).toBe(401);
    expect((await h.driver.raw({ body, signature: null })).status).toBe(401);
    expect((await h.driver.raw({ body, timestamp: null })).status).toBe(401);
    const otherSecret = createSlackDriver({
      appUrl: h.appUrl,
      signingSecret: 'not-the-secret',
      fake: h.fake,
      clock: h.clock.now,
    });
    expect(
      (await otherSecret.slashCommand({ text: 'feature x', userId: 'UEVIL', channelId: CHANNEL })).status,
    ).toBe(401);
    await nothingHappened();
  });

  it('when the timestamp is more than 5 minutes old or ahead of the bot clock, then 401 and nothing happens', async () => {
    const now = Math.floor(h.clock.now() / 1000);
    for (const ts of [now - 301, now + 301, now - 3600, now + 3600]) {
      const signature = signSlackRequest(SIGNING_SECRET, ts, body);
      expect((await h.driver.raw({ body, timestamp: ts, signature })).status).toBe(401);
    }
    for (const skew of [-360_000, 360_000]) {
      const skewed = createSlackDriver({
        appUrl: h.appUrl,
        signingSecret: SIGNING_SECRET,
        fake: h.fake,
        clock: () => h.clock.now() + skew,
      });
      expect(
        (await skewed.slashCommand({ text: 'feature x', userId: 'UEVIL', channelId: CHANNEL })).status,
      ).toBe(401);
    }
    await nothingHappened();
  });

  it('when the body is malformed, then 400 and the bot goes on', async () => {
    const cases = [
      { body: '{not json', contentType: 'application/json' },
      { body: '[1,2]', contentType: 'application/json' },
      { body: '{"type":"event_callback"}', contentType: 'application/json' },
      { body: 'payload=%7Bnot-json', contentType: 'application/x-www-form-urlencoded' },
      {
        body: `payload=${encodeURIComponent('{"type":"block_actions"}')}`,
        contentType: 'application/x-www-form-urlencoded',
      },
      { body: 'hello=world', contentType: 'application/x-www-form-urlencoded' },
      { body: 'plain', contentType: 'text/plain' },
    ];
    for (const c of cases) expect((await h.driver.raw(c)).status, c.body).toBe(400);
    await nothingHappened();
    // Still serving real requests.
    expect((await h.driver.slashCommand({ text: 'help', userId: 'UHELP', channelId: CHANNEL })).status).toBe(
      200,
    );
    await h.fake.waitFor((f) => f.ephemerals('UHELP')[0]);
  });

  it('when a slash command or an interaction comes as JSON, or an event form-encoded, then 400 and nothing happens', async () => {
    const command = Object.fromEntries(new URLSearchParams(body));
    const action = {
      type: 'block_actions',
      user: { id: 'UEVIL' },
      actions: [{ action_id: 'step_done', value: 'x' }],
    };
    const event = {
      type: 'event_callback',
      event_id: 'Ev1',
      event: { type: 'app_mention', user: 'UEVIL', channel: CHANNEL, text: '<@UBOT> feature x', ts: '1.1' },
    };
    const cases = [
      { body: JSON.stringify(command), contentType: 'application/json' },
      { body: JSON.stringify(action), contentType: 'application/json' },
      { body: new URLSearchParams({ payload: JSON.stringify(event) }).toString() },
    ];
    for (const c of cases) expect((await h.driver.raw(c)).status, c.body).toBe(400);
    await nothingHappened();
  });

  it('when the body is over the limit, then the client reads a 413 (never a reset) and nothing happens', async () => {
    const big = new URLSearchParams({
      command: '/lead',
      text: `feature ${'x'.repeat(BODY_LIMIT_BYTES)}`,
      user_id: 'UEVIL',
      channel_id: CHANNEL,
    }).toString();
    const ts = Math.floor(h.clock.now() / 1000);
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signSlackRequest(SIGNING_SECRET, ts, big),
    };
    // Declared length, chunked (no length), and a client that waits for 100 Continue.
    for (const extra of <Record<string, string>[]>[
      { 'content-length': String(Buffer.byteLength(big)) },
      {},
      { 'content-length': String(Buffer.byteLength(big)), expect: '100-continue' },
    ]) {
      const res = await postWithNodeHttp(h.appUrl, big, { ...headers, ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(413);
      expect(res.body).toMatch(/over \d+ bytes/);
    }
    const viaFetch = await fetch(h.appUrl, { method: 'POST', headers, body: big });
    expect(viaFetch.status).toBe(413);
    expect(await viaFetch.text()).toMatch(/over \d+ bytes/);
    await nothingHappened();
  });

  it('answers url_verification and ssl_check, 404 elsewhere', async () => {
    const res = await h.driver.raw({
      body: JSON.stringify({ type: 'url_verification', challenge: 'abc', token: 't' }),
      contentType: 'application/json',
    });
    expect(res.json).toEqual({ challenge: 'abc' });
    expect((await h.driver.raw({ body: 'ssl_check=1&token=t' })).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${h.app.port}/elsewhere`)).status).toBe(404);
  });
});

/** A POST with node:http, writing the body whatever the server does; an error is the client's reset. */
function postWithNodeHttp(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    if (headers.expect) {
      // Send the body only when the server says to go on; a final answer may come instead.
      req.on('continue', () => req.end(body));
      req.on('response', () => req.end());
      req.flushHeaders();
    } else req.end(body);
  });
}
