// The one `app.error`, against the fake Slack through a real WebClient: known domain errors
// shown kindly to the person who acted (modal field, response_url, ephemeral, DM), anything else
// logged with a correlation id the person is shown too, and nothing shown where no one asked.
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, RefusedError, ValidationError } from '../../src/errors.ts';
import type { Logger } from '../../src/logger.ts';
import {
  createErrorHandler,
  describeError,
  newCorrelationId,
  unwrapError,
} from '../../src/slack/error-handler.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';

let fake: FakeSlack;
let slack: WebClient;
beforeAll(async () => {
  fake = await startFakeSlack({ now: () => 0 });
  slack = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

interface Logged {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

function setup() {
  const logged: Logged[] = [];
  const at =
    (level: Logged['level']) =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      logged.push({ level, msg, fields });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const acks: unknown[][] = [];
  const ack = async (...args: unknown[]) => {
    acks.push(args);
  };
  return { handle: createErrorHandler({ slack, logger }), logged, acks, ack };
}

const refused = () => new RefusedError('not_owner', 'Only @Architect can complete this step.');
const slash = (extra: Record<string, unknown> = {}) => ({
  command: '/lead',
  text: 'done FEAT-1',
  user_id: 'U1',
  team_id: 'T1',
  channel_id: 'C1',
  ...extra,
});
const buttonInThread = {
  type: 'block_actions',
  user: { id: 'U1' },
  team: { id: 'T1' },
  channel: { id: 'C1' },
  container: { type: 'message', channel_id: 'C1', message_ts: '2.000002', thread_ts: '1.000001' },
  actions: [{ action_id: 'step_complete' }],
};

describe('unwrapping what Bolt hands over', () => {
  it('when the error is a domain error, then it is itself; wrapped by Bolt once or twice, the domain error inside', () => {
    const domain = refused();
    expect(unwrapError(domain)).toBe(domain);
    expect(unwrapError(Object.assign(new Error('wrapped'), { original: domain }))).toBe(domain);
    const twice = Object.assign(new Error('outer'), {
      original: Object.assign(new Error('inner'), { original: domain }),
    });
    expect(unwrapError(twice)).toBe(domain);
  });

  it('when several listeners failed, then the first domain error among them, else the first error', () => {
    const plain = new Error('db down');
    const domain = refused();
    expect(unwrapError(Object.assign(new Error('many'), { originals: [plain, domain] }))).toBe(domain);
    expect(unwrapError(Object.assign(new Error('many'), { originals: [plain, new Error('b')] }))).toBe(plain);
    const none = Object.assign(new Error('many'), { originals: [] });
    expect(unwrapError(none)).toBe(none);
  });

  it('when nothing is wrapped, then the error itself', () => {
    const plain = new TypeError('x is undefined');
    expect(unwrapError(plain)).toBe(plain);
  });
});

describe('what the person reads', () => {
  it('when the error is known, then its own message; otherwise an apology with the reference', () => {
    expect(describeError(refused(), 'abcd1234')).toBe('Only @Architect can complete this step.');
    const text = describeError(new Error('SQLITE_BUSY'), 'abcd1234');
    expect(text).toContain('`abcd1234`');
    expect(text).not.toContain('SQLITE_BUSY');
  });

  it('when correlation ids are drawn, then each is eight hex digits and they differ', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newCorrelationId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('where a known error is shown', () => {
  it('when a slash command is refused, then the person alone reads why through its response_url', async () => {
    const { handle, logged } = setup();
    const url = fake.createResponseUrl({ channelId: 'C1', userId: 'U1' });
    await handle({ error: refused(), body: slash({ response_url: url }) });
    expect(fake.ephemerals('U1')).toEqual([
      expect.objectContaining({
        channel: 'C1',
        via: 'response_url',
        text: 'Only @Architect can complete this step.',
      }),
    ]);
    expect(JSON.stringify(fake.ephemerals('U1')[0]!.blocks)).toContain(
      '🚫 Only @Architect can complete this step.',
    );
    expect(fake.responses[0]!.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(fake.messages()).toEqual([]);
    expect(logged).toEqual([
      {
        level: 'info',
        msg: 'Request refused or invalid',
        fields: { code: 'not_owner', message: 'Only @Architect can complete this step.', user: 'U1' },
      },
    ]);
  });

  it('when the response_url fails, then the person reads it as an ephemeral message in the channel instead', async () => {
    const { handle } = setup();
    const url = fake.createResponseUrl({ channelId: 'C1', userId: 'U1' });
    fake.failNext('response_url', { status: 500 });
    await handle({ error: refused(), body: slash({ response_url: url }) });
    expect(fake.ephemerals('U1')).toEqual([
      expect.objectContaining({ channel: 'C1', via: 'chat.postEphemeral', text: refused().message }),
    ]);
  });

  // Bug: only an HTTP error from the response_url falls back; a dropped connection makes fetch
  // throw, which skips the fallback and the person is told nothing.
  it.fails('when the response_url cannot be reached at all, then the person still reads why ephemerally', async () => {
    const { handle } = setup();
    const url = fake.createResponseUrl({ channelId: 'C1', userId: 'U1' });
    fake.failNext('response_url', { networkDrop: true });
    await handle({ error: refused(), body: slash({ response_url: url }) });
    expect(fake.ephemerals('U1')).toEqual([
      expect.objectContaining({ channel: 'C1', via: 'chat.postEphemeral', text: refused().message }),
    ]);
  });

  it('when a button in a thread fails, then the person reads it ephemerally in that thread', async () => {
    const { handle } = setup();
    await handle({
      error: Object.assign(new Error('wrapped'), { original: refused() }),
      body: buttonInThread,
    });
    expect(fake.ephemerals()).toEqual([
      expect.objectContaining({ channel: 'C1', user: 'U1', thread_ts: '1.000001', text: refused().message }),
    ]);
  });

  it('when there is no channel to answer in (a global shortcut), then the person gets a direct message', async () => {
    const { handle } = setup();
    const error = new NotFoundError('run_not_found', 'There is no run FEAT-404.');
    await handle({ error, body: { type: 'shortcut', user: { id: 'U1' }, callback_id: 'lead_request' } });
    expect(fake.ephemerals()).toEqual([]);
    expect(fake.callsTo('chat.postMessage').map((c) => c.args)).toEqual([
      expect.objectContaining({ channel: 'U1', text: 'There is no run FEAT-404.' }),
    ]);
  });

  it('when a modal submission fails on a field, then the modal shows it under that field and nothing is posted', async () => {
    const { handle, ack, acks } = setup();
    const error = new ValidationError('field_required', 'Say what the request is about.', {
      field: 'title_block',
    });
    const view = { blocks: [{ type: 'input', block_id: 'chain_block' }] };
    await handle({ error, body: { type: 'view_submission', user: { id: 'U1' }, view }, context: { ack } });
    expect(acks).toEqual([
      [{ response_action: 'errors', errors: { title_block: 'Say what the request is about.' } }],
    ]);
    expect(fake.calls).toEqual([]);
  });

  it('when a modal submission fails with no field named, then the message shows under the first input', async () => {
    const { handle, ack, acks } = setup();
    const view = {
      blocks: [
        { type: 'section', block_id: 'intro' },
        { type: 'input', block_id: 'text_block' },
        { type: 'input', block_id: 'chain_block' },
      ],
    };
    await handle({
      error: refused(),
      body: { type: 'view_submission', user: { id: 'U1' }, view },
      context: { ack },
    });
    expect(acks).toEqual([[{ response_action: 'errors', errors: { text_block: refused().message } }]]);
  });

  it('when a modal with no inputs fails, then the modal closes and the person reads why directly', async () => {
    const { handle, ack, acks } = setup();
    const view = { blocks: [{ type: 'section', block_id: 'confirm' }] };
    await handle({
      error: refused(),
      body: { type: 'view_submission', user: { id: 'U1' }, view },
      context: { ack },
    });
    expect(acks).toEqual([[]]);
    expect(fake.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual(['U1']);
  });

  it('when a mention fails, then the person reads why ephemerally in its thread', async () => {
    const { handle } = setup();
    const body = {
      type: 'event_callback',
      team_id: 'T1',
      event: { type: 'app_mention', user: 'U1', channel: 'C1', ts: '3.000003', text: '<@UBOT> feature' },
    };
    await handle({ error: refused(), body });
    expect(fake.ephemerals()).toEqual([
      expect.objectContaining({ channel: 'C1', user: 'U1', thread_ts: '3.000003' }),
    ]);
  });
});

describe('where nothing is shown', () => {
  it.each([
    [
      'an event no one typed (App Home opened)',
      { type: 'event_callback', event: { type: 'app_home_opened', user: 'U1' } },
    ],
    ['a closed modal', { type: 'view_closed', user: { id: 'U1' } }],
    ['an options request', { type: 'block_suggestion', user: { id: 'U1' }, channel: { id: 'C1' } }],
  ])('when %s fails, then it is only logged', async (_what, body) => {
    const { handle, logged } = setup();
    await handle({ error: new Error('boom'), body });
    expect(fake.calls).toEqual([]);
    expect(logged.map((l) => l.level)).toEqual(['error']);
  });
});

describe('an unexpected error', () => {
  it('when something unexpected fails, then it is logged with a reference and the person is shown that same reference', async () => {
    const { handle, logged } = setup();
    const error = Object.assign(new Error('listener failed'), {
      code: 'slack_bolt_unknown_error',
      original: new TypeError('cannot read properties of undefined'),
    });
    await handle({ error, body: buttonInThread });
    expect(logged).toHaveLength(1);
    const [entry] = logged;
    expect(entry).toMatchObject({
      level: 'error',
      msg: 'Unexpected error while handling a Slack request',
      fields: { code: 'slack_bolt_unknown_error', ref: expect.stringMatching(/^[0-9a-f]{8}$/) },
    });
    expect(String(entry!.fields.error)).toContain('TypeError: cannot read properties of undefined');
    const [shown] = fake.ephemerals('U1');
    expect(shown!.text).toContain(`\`${entry!.fields.ref}\``);
    expect(shown!.text).not.toContain('cannot read');
  });

  it('when showing the error fails too, then that is logged under the same reference and the handler does not throw', async () => {
    const { handle, logged } = setup();
    fake.failNext('chat.postEphemeral', { error: 'channel_not_found' });
    await expect(handle({ error: new Error('boom'), body: buttonInThread })).resolves.toBeUndefined();
    expect(logged.map((l) => [l.level, l.msg])).toEqual([
      ['error', 'Unexpected error while handling a Slack request'],
      ['error', 'Could not show an error to the user'],
    ]);
    expect(logged[1]!.fields.ref).toBe(logged[0]!.fields.ref);
    expect(String(logged[1]!.fields.error)).toContain('channel_not_found');
  });
});
