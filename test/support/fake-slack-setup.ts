// What the fake Slack's own tests share: the tokens, a quiet logger, fast retries, and a fake
// with a WebClient pointed at it for the file (reset after each test, closed after the last).
import { type Logger, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';

export const SIGNING_SECRET = 'test-signing-secret';
export const BOT_TOKEN = 'xoxb-test-token';
export const APP_TOKEN = 'xapp-1-test-token';

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

export const fastRetries = { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 10 };

export const block = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** Starts the fake (and its WebClient) before the file's tests; `started` receives them. */
export function useFakeSlack(started: (s: { fake: FakeSlack; client: WebClient }) => void): void {
  let fake: FakeSlack | undefined;
  beforeAll(async () => {
    fake = await startFakeSlack({ botUserId: 'UBOT', teamId: 'T1' });
    const client = new WebClient(BOT_TOKEN, {
      slackApiUrl: fake.apiUrl,
      retryConfig: fastRetries,
      logger: silentLogger,
    });
    started({ fake, client });
  });
  afterEach(() => fake?.reset());
  afterAll(() => fake?.close());
}
