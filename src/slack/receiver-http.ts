// Slack's requests over HTTP (`POST /slack/events`: commands, interactivity, events), as a route of
// the one HTTP server (src/http/server.ts) and as Bolt's receiver. Bolt's own HTTPReceiver checks
// timestamps against the wall clock and only in the past; this one checks the signature and a
// timestamp within 5 minutes either way of the injected clock, answers 401 before reading a byte
// of meaning from the body, 400 on a body that is not a Slack request (slash commands and
// interactions form-encoded, events JSON, as Slack sends them), 413 on a body over the limit (a
// response the client reads, never a reset), and never lets a request stop the process. An
// event's 200 waits for its listener, so an event whose work was never stored is delivered again.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { header, readBody, respond as send, sendTooLarge } from '../http/io.ts';
import type { Route } from '../http/server.ts';
import type { Logger } from '../logger.ts';

export const EVENTS_PATH = '/slack/events';
/** Slack's replay window: a request whose timestamp is further than this from now is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
/** Slack's own payloads are far smaller; a body over this gets 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * Slack gives up after 3 s: a request nobody acknowledged by then gets 404 (Slack does not retry
 * it), an event still being handled gets its 200.
 */
export const ACK_DEADLINE_MS = 2900;

const INTERACTIVE_TYPES = new Set([
  'block_actions',
  'block_suggestion',
  'view_submission',
  'view_closed',
  'shortcut',
  'message_action',
  'interactive_message',
]);

export interface HttpReceiverOptions {
  signingSecret: string;
  /** Milliseconds; the timestamp check uses it. */
  clock: () => number;
  logger: Logger;
}

export type Verdict = { ok: true } | { ok: false; status: 401; reason: string };

/** `v0=hex(hmac_sha256(secret, 'v0:' + ts + ':' + body))`, with the timestamp within the window. */
export function verifySlackSignature(
  secret: string,
  headers: { signature?: string; timestamp?: string },
  rawBody: string,
  nowMs: number,
): Verdict {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) return { ok: false, status: 401, reason: 'missing signature headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, status: 401, reason: 'malformed timestamp' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) {
    return { ok: false, status: 401, reason: 'timestamp outside the 5 minute window' };
  }
  const expected = Buffer.from(
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, status: 401, reason: 'signature mismatch' };
  }
  return { ok: true };
}

type Parsed =
  | { kind: 'request'; body: Record<string, unknown> }
  | { kind: 'url_verification'; challenge: string }
  | { kind: 'ssl_check' }
  /** Slack tells the app it is sending too many events (Events API): acknowledged and logged. */
  | { kind: 'rate_limited' }
  | { kind: 'malformed'; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The body as Bolt expects it, or why it is not a Slack request. */
export function parseSlackBody(contentType: string | undefined, raw: string): Parsed {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  // Slack sends events (and the URL check) as JSON, and slash commands and interactions
  // form-encoded (interactions as one `payload` field). Any other mix is not from Slack.
  let body: unknown;
  let encoding: 'json' | 'form' | 'payload';
  try {
    if (type === 'application/json') {
      body = JSON.parse(raw);
      encoding = 'json';
    } else if (type === 'application/x-www-form-urlencoded') {
      const form = Object.fromEntries(new URLSearchParams(raw));
      encoding = typeof form.payload === 'string' ? 'payload' : 'form';
      body = encoding === 'payload' ? JSON.parse(form.payload!) : form;
    } else {
      return { kind: 'malformed', reason: `unsupported content type "${type}"` };
    }
  } catch {
    return { kind: 'malformed', reason: 'body does not parse' };
  }
  if (!isObject(body)) return { kind: 'malformed', reason: 'body is not an object' };
  if (encoding === 'form' && body.ssl_check !== undefined) return { kind: 'ssl_check' };
  if (encoding === 'json' && body.type === 'url_verification') {
    return typeof body.challenge === 'string'
      ? { kind: 'url_verification', challenge: body.challenge }
      : { kind: 'malformed', reason: 'no challenge' };
  }
  if (encoding === 'json' && body.type === 'app_rate_limited') return { kind: 'rate_limited' };
  if (body.type === 'event_callback') {
    if (encoding !== 'json') return { kind: 'malformed', reason: 'an event that is not JSON' };
    return isObject(body.event) && typeof body.event.type === 'string'
      ? { kind: 'request', body }
      : { kind: 'malformed', reason: 'event_callback without an event' };
  }
  if (typeof body.command === 'string') {
    if (encoding !== 'form') return { kind: 'malformed', reason: 'a slash command that is not form-encoded' };
    return typeof body.user_id === 'string' && typeof body.channel_id === 'string'
      ? { kind: 'request', body }
      : { kind: 'malformed', reason: 'slash command without user or channel' };
  }
  if (typeof body.type === 'string' && INTERACTIVE_TYPES.has(body.type)) {
    if (encoding !== 'payload')
      return { kind: 'malformed', reason: 'an interaction that is not a form-encoded payload' };
    if (!isObject(body.user) || typeof body.user.id !== 'string')
      return { kind: 'malformed', reason: 'interaction without a user' };
    if (body.type === 'block_actions' && !Array.isArray(body.actions))
      return { kind: 'malformed', reason: 'block_actions without actions' };
    if ((body.type === 'view_submission' || body.type === 'view_closed') && !isObject(body.view)) {
      return { kind: 'malformed', reason: 'view payload without a view' };
    }
    return { kind: 'request', body };
  }
  return { kind: 'malformed', reason: 'not a Slack request' };
}

/**
 * Lets waiters go one per event-loop turn. What a listener does after its ack runs through it,
 * so new requests are read and acked between two listeners' work: acks never queue behind a
 * burst of runs being started.
 */
export class TurnGate {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()?.();
      this.schedule();
    });
  }
}

/**
 * Bolt's receiver for requests that come through the HTTP server: `route` is what the server
 * serves at `POST /slack/events`. It owns no server; `start` and `stop` (Bolt's `app.start()`
 * and `app.stop()`) open and close it to requests.
 */
export class SlackHttpReceiver implements Receiver {
  private app: App | undefined;
  private readonly gate = new TurnGate();
  private accepting = false;

  constructor(private readonly opts: HttpReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {
    this.accepting = true;
  }

  /** Stop taking requests (503); those in flight finish. */
  async stop(): Promise<void> {
    this.accepting = false;
  }

  /** The route to serve. */
  readonly route: Route = {
    method: 'POST',
    path: EVENTS_PATH,
    maxBodyBytes: BODY_LIMIT_BYTES,
    handle: (req, res) => this.handle(req, res),
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.accepting || !this.app) return send(res, 503);
    const raw = await readBody(req, BODY_LIMIT_BYTES);
    if (raw === null) {
      this.opts.logger.warn('Refused a request body over the limit', { limit: BODY_LIMIT_BYTES });
      return sendTooLarge(res, BODY_LIMIT_BYTES);
    }
    const verdict = verifySlackSignature(
      this.opts.signingSecret,
      { signature: header(req, 'x-slack-signature'), timestamp: header(req, 'x-slack-request-timestamp') },
      raw,
      this.opts.clock(),
    );
    if (!verdict.ok) {
      this.opts.logger.warn('Refused a request that is not from Slack', { reason: verdict.reason });
      return send(res, 401);
    }
    const parsed = parseSlackBody(header(req, 'content-type'), raw);
    if (parsed.kind === 'malformed') {
      this.opts.logger.warn('Refused a malformed request', { reason: parsed.reason });
      return send(res, 400);
    }
    if (parsed.kind === 'ssl_check') return send(res, 200);
    if (parsed.kind === 'rate_limited') {
      this.opts.logger.warn('Slack is rate-limiting the events sent to this app (app_rate_limited)');
      return send(res, 200);
    }
    if (parsed.kind === 'url_verification') return send(res, 200, { challenge: parsed.challenge });
    await this.dispatch(req, res, parsed.body);
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    body: Record<string, unknown>,
  ): Promise<void> {
    let acked = false;
    let answered = false;
    const answer = (status: number, payload?: unknown) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      send(res, status, payload);
    };
    const timer = setTimeout(() => {
      if (answered) return;
      if (!acked)
        this.opts.logger.warn('No listener acknowledged the request in time', {
          type: body.type ?? body.command,
        });
      answer(acked ? 200 : 404);
    }, ACK_DEADLINE_MS);
    // Bolt acknowledges an event before its listener runs. Its 200 waits for the listener instead
    // (until Slack's deadline is near): a process that dies before the request's work is stored
    // never answers, and Slack delivers the event again, to this process or another.
    const answerWhenDone = body.type === 'event_callback';
    const retryNum = header(req, 'x-slack-retry-num');
    const event: ReceiverEvent = {
      body,
      ...(retryNum !== undefined && /^\d+$/.test(retryNum) ? { retryNum: Number(retryNum) } : {}),
      ...(header(req, 'x-slack-retry-reason') ? { retryReason: header(req, 'x-slack-retry-reason') } : {}),
      ack: async (response?: unknown) => {
        if (acked) return;
        acked = true;
        if (!answerWhenDone) answer(200, response === undefined || response === null ? undefined : response);
        // The listener's work after the ack waits its turn (see TurnGate).
        await this.gate.wait();
      },
    };
    try {
      await this.app!.processEvent(event);
      if (acked) answer(200);
    } catch (err) {
      this.opts.logger.error('Processing a Slack request failed', { error: String(err) });
      // Nothing answered yet: Slack may deliver it again; a repeated delivery never acts twice.
      answer(500);
    }
  }
}
