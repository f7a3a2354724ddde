// The Web API client the bot sends with. The outbox owns retries: it paces each channel,
// honours Retry-After and backs off on 5xx and network errors with its own attempt count kept
// in the database. So the client must neither wait out a 429 itself (`rejectRateLimitedCalls`:
// a 429 becomes an ErrorCode.RateLimitedError at once) nor retry on its own (`retries: 0`),
// or one message would be retried by two policies and a paused client would hold up every
// channel. A request timeout turns a hung connection into a RequestError the outbox retries.
import { LogLevel, type Logger as SlackLogger, WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export interface SlackClientOptions {
  token: string;
  /** Web API base URL (`SLACK_API_URL`); a trailing `/` is added when missing. */
  slackApiUrl?: string;
  logger?: Logger;
  timeoutMs?: number;
}

/** Our logger as the Web API client's: its debug noise dropped, warnings kept. */
function slackLogger(log: Logger): SlackLogger {
  let level = LogLevel.INFO;
  let name = 'slack';
  const line = (args: unknown[]) =>
    args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  return {
    debug: () => {},
    info: (...args) => log.debug(`${name}: ${line(args)}`),
    warn: (...args) => log.warn(`${name}: ${line(args)}`),
    error: (...args) => log.error(`${name}: ${line(args)}`),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n) => {
      name = n;
    },
  };
}

export function createSlackClient(opts: SlackClientOptions): WebClient {
  const url = opts.slackApiUrl
    ? opts.slackApiUrl.endsWith('/')
      ? opts.slackApiUrl
      : `${opts.slackApiUrl}/`
    : undefined;
  return new WebClient(opts.token, {
    ...(url ? { slackApiUrl: url } : {}),
    ...(opts.logger ? { logger: slackLogger(opts.logger) } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  });
}
