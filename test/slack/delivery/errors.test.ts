import type { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { classifySlackError } from '../../../src/slack/delivery/errors.ts';
import { createSlackClient } from '../../../src/slack/web-client.ts';
import { type FakeSlack, type Fault, startFakeSlack } from '../../support/fake-slack.ts';

// Real errors from a real WebClient configured as the bot configures it.
let fake: FakeSlack;
let client: WebClient;
beforeAll(async () => {
  fake = await startFakeSlack();
  client = createSlackClient({
    token: 'xoxb-test',
    slackApiUrl: fake.apiUrl.replace(/\/$/, ''),
    logger: silentLogger,
    timeoutMs: 5000,
  });
});
afterAll(() => fake.close());

async function failureOf(fault: Fault) {
  fake.failNext('chat.postMessage', fault);
  try {
    await client.chat.postMessage({ channel: 'C1', text: 'x' });
  } catch (err) {
    return classifySlackError(err);
  }
  throw new Error('expected a failure');
}

describe('classifySlackError', () => {
  it.each<[string, Fault, string]>([
    ['429 with Retry-After', { status: 429, retryAfter: 7 }, 'rate_limited'],
    ['500', { status: 500 }, 'transient'],
    ['a dropped connection', { networkDrop: true }, 'transient'],
    ['channel_not_found', { error: 'channel_not_found' }, 'permanent'],
    ['not_in_channel', { error: 'not_in_channel' }, 'permanent'],
    ['is_archived', { error: 'is_archived' }, 'permanent'],
    ['invalid_auth', { error: 'invalid_auth' }, 'permanent'],
    ['invalid_blocks', { error: 'invalid_blocks' }, 'rejected_content'],
    ['msg_too_long', { error: 'msg_too_long' }, 'rejected_content'],
    ['internal_error', { error: 'internal_error' }, 'transient'],
  ])('when Slack answers %s, then the failure is %s', async (_what, fault, kind) => {
    const f = await failureOf(fault);
    expect(f.kind).toBe(kind);
    if (f.kind === 'rate_limited') expect(f.retryAfterMs).toBe(7000);
  });

  it('when the client is created, then it neither retries nor waits out a 429 itself', () => {
    const c = client as unknown as {
      rejectRateLimitedCalls: boolean;
      retryConfig: { retries: number };
      timeout: number;
    };
    expect(c.rejectRateLimitedCalls).toBe(true);
    expect(c.retryConfig.retries).toBe(0);
    expect(c.timeout).toBe(5000);
  });
});
