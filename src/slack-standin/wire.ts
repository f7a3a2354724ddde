// Requests and answers as Slack's Web API has them: bodies parsed (form or JSON), answers and
// injected faults sent, platform errors thrown as `SlackApiError`, argument readers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import type { FakeMessage, Fault, Json } from './types.ts';

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'unfurls', 'user_auth_blocks']);
export const PERMALINK_BASE = 'https://fake.slack.test';

/** A Web API method answers `{ ok: true, ...result }`, or `{ ok: false, error }` when it throws this. */
export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Json = {},
  ) {
    super(code);
  }
}

export function fail(code: string, extra?: Json): never {
  throw new SlackApiError(code, extra);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** JSON bodies as they are; form bodies with the JSON-encoded fields WebClient sends decoded again. */
export function parseBody(raw: string, contentType: string | undefined): Json {
  if (raw.trim() === '') return {};
  if (contentType?.startsWith('application/json')) {
    const value: unknown = JSON.parse(raw);
    if (!isObject(value)) throw new Error('JSON body is not an object');
    return value;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(parseQueryString(raw))) {
    const text = Array.isArray(value) ? (value.at(-1) ?? '') : (value ?? '');
    out[key] = JSON_FIELDS.has(key) ? parseJsonField(text) : text;
  }
  return out;
}

export function parseJsonField(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: Json,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export function sendFault(
  res: ServerResponse,
  fault: Exclude<Fault, { hang: true } | { lostAnswer: unknown }>,
): void {
  if ('networkDrop' in fault) {
    res.socket?.destroy();
  } else if ('error' in fault) {
    sendJson(res, 200, { ok: false, error: fault.error });
  } else if (fault.status === 429) {
    sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter) });
  } else {
    sendJson(res, 500, { ok: false, error: 'internal_error' });
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

export function requireString(args: Json, key: string): string {
  return optionalString(args[key]) ?? fail(key === 'channel' ? 'channel_not_found' : 'invalid_arguments');
}

export function asBlocks(value: unknown): Json[] | undefined {
  return Array.isArray(value) ? value.filter(isObject) : undefined;
}

export function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** `oldest`/`latest` as Slack applies them: exclusive unless `inclusive`. */
export function inTimeRange(args: Json): (m: FakeMessage) => boolean {
  const oldest = optionalString(args.oldest);
  const latest = optionalString(args.latest);
  if (oldest !== undefined && !/^\d+(\.\d*)?$/.test(oldest)) fail('invalid_ts_oldest');
  if (latest !== undefined && !/^\d+(\.\d*)?$/.test(latest)) fail('invalid_ts_latest');
  const inclusive = isTrue(args.inclusive);
  const at = (ts: string) => {
    const [seconds = '0', micros = ''] = ts.split('.');
    return BigInt(seconds || '0') * 1_000_000n + BigInt(micros.padEnd(6, '0').slice(0, 6) || '0');
  };
  return (m) =>
    (oldest === undefined || (inclusive ? at(m.ts) >= at(oldest) : at(m.ts) > at(oldest))) &&
    (latest === undefined || (inclusive ? at(m.ts) <= at(latest) : at(m.ts) < at(latest)));
}

export function tzOffsetSeconds(tz: string, at: number): number {
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
    if (!m) return 0;
    return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
  } catch {
    return 0;
  }
}
