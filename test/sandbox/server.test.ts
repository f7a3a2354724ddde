// The sandbox's server without a browser: it answers on 127.0.0.1 only, sets the roles up at
// its first start only, shows ephemerals to their person alone, and refuses bad requests with
// a clear error and no change.
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/types.ts';
import type { PageState } from '../../src/sandbox/page-state.ts';
import { type Sandbox, SandboxClock, startSandbox } from '../../src/sandbox/sandbox.ts';
import { ADMIN_ID, INCIDENT_CHANNEL, personFor, REQUESTER_ID } from '../../src/sandbox/workspace.ts';
import { ACTION } from '../../src/slack/ids.ts';
import { until } from '../support/app-harness.ts';
import { tempDbPath } from '../support/engine.ts';

const dbPath = tempDbPath('sandbox');
const clock = new SandboxClock(Date.UTC(2026, 10, 2, 10, 0, 0));
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ env: { DATABASE_URL: dbPath, PORT: '0' }, clock });
});
afterAll(() => sandbox?.close());

const post = (verb: string, body: unknown) =>
  fetch(new URL(`sandbox/${verb}`, sandbox.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const state = async (user: string): Promise<PageState> =>
  (await fetch(new URL(`sandbox/state?as=${user}`, sandbox.url))).json() as Promise<PageState>;

/** Whether anything accepts a TCP connection at host:port. */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the sandbox server', () => {
  it('answers on 127.0.0.1 and on no other address of the machine (the page and the Slack stand-in alike)', async () => {
    const standinPort = Number(new URL(sandbox.standin.baseUrl).port);
    expect(new URL(sandbox.url).hostname).toBe('127.0.0.1');
    expect(await answers('127.0.0.1', sandbox.port)).toBe(true);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && !a.internal)
      .map((a) => a!.address);
    expect(others.length, 'a non-loopback address to try').toBeGreaterThan(0);
    for (const address of others) {
      expect(await answers(address, sandbox.port), `${address}:${sandbox.port}`).toBe(false);
      expect(await answers(address, standinPort), `${address}:${standinPort}`).toBe(false);
    }
  });

  it('serves the page with the controls the contract names', async () => {
    const html = await (await fetch(sandbox.url)).text();
    expect(html).toContain('<label for="message" class="visually-hidden">Message</label>');
    expect(html).toContain('<label for="act-as">Act as</label>');
    expect((await fetch(new URL('sandbox/blockkit.js', sandbox.url))).headers.get('content-type')).toContain(
      'javascript',
    );
    expect((await fetch(new URL('sandbox/nothing.js', sandbox.url))).status).toBe(404);
  });

  it('gives each role to the person named after it at the first start, and not again', async () => {
    const roles = await sandbox.core.roles.listRoles();
    for (const r of roles) expect(r.holders, r.role).toEqual([personFor(r.role)]);
    const admin = await sandbox.core.actors.resolve({ kind: 'slack_user', userId: 'UADMIN' });
    await sandbox.core.roles.setRole(admin, 'Scribe', [REQUESTER_ID]);
    await sandbox.close();
    sandbox = await startSandbox({ env: { DATABASE_URL: dbPath, PORT: '0' }, clock });
    expect(await sandbox.core.roles.holdersOf('Scribe')).toEqual([REQUESTER_ID]);
    expect(await sandbox.core.roles.holdersOf('Atlas')).toEqual([personFor('Atlas')]);
    expect((await state(REQUESTER_ID)).people.map((p) => p.name)).toEqual(
      expect.arrayContaining(['Requester', 'Ghabs', 'Atlas', 'Admin']),
    );
  });

  it('shows an ephemeral answer to the person it is for, and to no one else', async () => {
    const res = await post('compose', { user: REQUESTER_ID, channel: 'CPRODUCT', text: '@ProjectLead help' });
    expect(res.status).toBe(200);
    await sandbox.standin.waitFor((f) => f.ephemerals(REQUESTER_ID).length > 0, { what: 'the help answer' });
    const mine = await state(REQUESTER_ID);
    expect(
      mine.ephemerals.some((e) => e.text.includes('/lead') || JSON.stringify(e.blocks).includes('/lead')),
    ).toBe(true);
    const mention = mine.messages.find((m) => m.user === REQUESTER_ID)!;
    expect(mention.text).toBe(`<@${sandbox.standin.botUserId}> help`);
    expect(mention.blocks[0]!.type).toBe('rich_text');
    expect((await state(personFor('Atlas'))).ephemerals).toEqual([]);
  });

  it('acts on a thread reply that mentions the bot as @ProjectLead or as Slack writes it (<@U…>)', async () => {
    const res = await post('compose', {
      user: REQUESTER_ID,
      channel: 'CPRODUCT',
      text: '/lead feature Export the weekly report as CSV for finance',
    });
    expect(res.status).toBe(200);
    const run = await until(
      async () =>
        (await sandbox.core.store.read.runs.list()).find((r) => r.title.includes('weekly report as CSV')),
      'the run',
    );
    const threadTs = await until(
      async () => (await sandbox.core.store.read.runs.get(run.id))?.threadTs,
      'its thread',
    );
    const reply = (user: string, text: string) =>
      post('compose', { user, channel: 'CPRODUCT', threadTs, text });
    expect(
      (
        await reply(
          personFor('Ghabs'),
          `<@${sandbox.standin.botUserId}> done Scope: CSV export, finance only`,
        )
      ).status,
    ).toBe(200);
    await until(
      async () => (await sandbox.core.store.read.runs.get(run.id))?.steps[0]?.status === 'done',
      'the encoded mention completing Vision & Scope',
    );
    const step = (await sandbox.core.store.read.runs.get(run.id))!.steps[1]!;
    const owner = personFor(step.owners[0]!);
    expect((await reply(owner, '@ProjectLead ack')).status).toBe(200);
    await until(
      async () => (await sandbox.core.store.read.runs.get(run.id))?.steps[1]?.acknowledgedAt,
      'the typed mention acknowledging the next step',
    );
  });

  it('sends a slash command’s @mentions escaped as Slack does (should_escape), so `/lead role set` takes them', async () => {
    const res = await post('compose', {
      user: ADMIN_ID,
      channel: 'CPRODUCT',
      text: '/lead role set Scribe @Scribe @Atlas',
    });
    expect(res.status).toBe(200);
    const holders = await until(async () => {
      const held = (await sandbox.core.store.read.roles.all()).get('Scribe');
      return held?.includes(personFor('Atlas')) ? held : null;
    }, 'Scribe held by Scribe and Atlas');
    expect(holders).toEqual([personFor('Scribe'), personFor('Atlas')]);
  });

  it('opens an incident in #incidents from a monitoring alert posted with an alerts token', async () => {
    const { token } = await sandbox.core.tokens.create('sandbox-monitoring', { kind: 'alerts' });
    const res = await fetch(new URL('api/v1/alerts/generic', sandbox.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Checkout 5xx rate over 5%',
        status: 'firing',
        dedup_key: 'checkout-5xx',
      }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const shown = await until(
      async () =>
        (await state(REQUESTER_ID)).messages.find(
          (m) => m.channel === INCIDENT_CHANNEL && m.text.includes('Checkout 5xx rate'),
        ),
      'the incident in #incidents',
    );
    expect(shown).toBeTruthy();
  });

  it('refuses bad requests with a clear error and changes nothing', async () => {
    await until(async () => (await sandbox.core.store.read.outbox.pendingCount()) === 0, 'an empty outbox');
    const before = sandbox.standin.calls.length;
    const messages = sandbox.standin.messages().length;
    const cases: [string, unknown, RegExp][] = [
      ['compose', { user: 'UNOBODY', channel: 'CPRODUCT', text: 'hi' }, /No one in the sandbox/],
      ['compose', { user: REQUESTER_ID, channel: 'CNOWHERE', text: 'hi' }, /no channel/],
      ['compose', { user: REQUESTER_ID, channel: 'CPRODUCT', text: '/deploy now' }, /not a command here/],
      ['compose', { user: REQUESTER_ID, channel: 'CPRODUCT', text: '   ' }, /Write something/],
      ['compose', '{not json', /not JSON/],
      ['clock', { advance: 'week' }, /advance/],
      ['submit', { user: REQUESTER_ID, viewId: 'VNONE', values: {} }, /not open for you/],
      [
        'shortcut',
        { user: REQUESTER_ID, callbackId: 'declare_incident', channel: 'CPRODUCT', ts: '1.000001' },
        /gone/,
      ],
    ];
    for (const [verb, body, message] of cases) {
      const res = await post(verb, body);
      expect(res.status, `${verb} ${JSON.stringify(body)}`).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect((await fetch(new URL('sandbox/state?as=UNOBODY', sandbox.url))).status).toBe(400);
    expect(sandbox.standin.calls.length).toBe(before);
    expect(sandbox.standin.messages().length).toBe(messages);
  });

  it('replaces an ephemeral message as Slack does when the bot answers its button with replace_original', async () => {
    await post('compose', {
      user: REQUESTER_ID,
      channel: 'CPRODUCT',
      text: '/lead something about the thing',
    });
    const ask = await sandbox.standin.waitFor((f) =>
      f.ephemerals(REQUESTER_ID).find((e) => JSON.stringify(e.blocks ?? []).includes(ACTION.chooseChain)),
    );
    const choice = /"value":"(\d+\|[a-z_]+)"/.exec(JSON.stringify(ask.blocks))![1]!;
    const res = await post('press', {
      user: REQUESTER_ID,
      container: { kind: 'ephemeral', channel: 'CPRODUCT', ts: ask.message_ts },
      actionId: ACTION.chooseChain,
      value: choice,
    });
    expect(res.status).toBe(200);
    await sandbox.standin.waitFor((f) => f.responses.some((r) => r.context.messageTs === ask.message_ts));
    const shown = (await state(REQUESTER_ID)).ephemerals;
    expect(shown.some((e) => e.ts === ask.message_ts)).toBe(false);
    expect(shown.at(-1)!.text).toMatch(/started|FEAT|BUG|REL|INC|CHG|AUD/);
  });

  it('moves the clock forward by an hour or a day', async () => {
    const before = clock.now();
    expect((await post('clock', { advance: 'hour' })).status).toBe(200);
    expect(clock.now() - before).toBeGreaterThanOrEqual(3_600_000);
    expect(clock.now() - before).toBeLessThan(2 * 3_600_000);
    expect((await state(REQUESTER_ID)).now).toBeGreaterThanOrEqual(before + 3_600_000);
  });
});

describe('the sandbox over a restart', () => {
  it('keeps its workspace and its clock beside the database: the old thread is there, and acting in it works', async () => {
    const path = tempDbPath('sandbox-restart');
    const first = await startSandbox({
      env: { DATABASE_URL: path, PORT: '0' },
      clock: new SandboxClock(Date.UTC(2026, 10, 2, 10, 0, 0)),
    });
    const compose = (s: Sandbox, body: Record<string, unknown>) =>
      fetch(new URL('sandbox/compose', s.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    let run: Run | undefined;
    try {
      await compose(first, {
        user: REQUESTER_ID,
        channel: 'CPRODUCT',
        text: '/lead feature Add a dark mode toggle',
      });
      run = await until(async () => (await first.core.store.read.runs.list())[0], 'the run');
      await until(async () => first.standin.messages('CPRODUCT').length >= 2, 'its root and handoff');
      await first.advance(24 * 3_600_000);
    } finally {
      await first.close();
    }
    const movedTo = first.clock.now();
    const before = first.standin.messages('CPRODUCT').map((m) => [m.ts, m.text]);

    // A clock that starts where the first one started: the kept one is later, and wins.
    const second = await startSandbox({
      env: { DATABASE_URL: path, PORT: '0' },
      clock: new SandboxClock(Date.UTC(2026, 10, 2, 10, 0, 0)),
    });
    try {
      expect(second.clock.now()).toBeGreaterThanOrEqual(movedTo);
      expect(second.standin.messages('CPRODUCT').map((m) => [m.ts, m.text])).toEqual(before);
      const threadTs = (await second.core.store.read.runs.get(run!.id))!.threadTs!;
      expect(second.standin.thread('CPRODUCT', threadTs).length).toBeGreaterThanOrEqual(2);
      await compose(second, {
        user: personFor('Ghabs'),
        channel: 'CPRODUCT',
        threadTs,
        text: '@ProjectLead done Scope: a toggle in settings',
      });
      await until(
        async () => (await second.core.store.read.runs.get(run!.id))?.steps[0]?.status === 'done',
        'Vision & Scope done in the kept thread',
      );
      // The root message, posted before the restart, is edited in place: it is still there.
      await until(
        async () => second.standin.message('CPRODUCT', threadTs)?.text?.includes('(2/9)'),
        'the root message updated',
      );
      await second.app.sender.drain(5_000);
      expect(second.app.sender.stats()).toMatchObject({ failed: 0, held: 0 });
    } finally {
      await second.close();
    }
  });

  it('refuses to start over a kept workspace it did not write, and leaves the file as it was', async () => {
    const path = tempDbPath('sandbox-kept-bad');
    writeFileSync(`${path}.slack.json`, '{"messages": "not mine"}');
    await expect(startSandbox({ env: { DATABASE_URL: path, PORT: '0' } })).rejects.toThrow(
      /is not a workspace the sandbox wrote/,
    );
    expect(readFileSync(`${path}.slack.json`, 'utf8')).toBe('{"messages": "not mine"}');
  });
});
