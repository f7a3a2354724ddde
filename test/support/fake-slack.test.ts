// The fake Slack checked against the real WebClient the bot uses, pointed at the fake.
import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { type FakeSlack, visibleText } from './fake-slack.ts';
import { BOT_TOKEN, block, silentLogger, useFakeSlack } from './fake-slack-setup.ts';

let fake: FakeSlack;
let client: WebClient;
useFakeSlack((s) => {
  ({ fake, client } = s);
});

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
