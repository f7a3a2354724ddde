// Requests that are not Slack's: a bad signature, a timestamp more than 5 minutes off in either
// direction (401), a malformed body (400). None has an effect, none stops the bot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
