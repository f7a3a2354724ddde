// The HMAC signatures PagerDuty and Sentry put on their webhooks, checked when their secrets are
// configured: PagerDuty's `X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the raw body>` (several,
// comma-separated, while a secret is rotated), Sentry's `Sentry-Hook-Signature: <hex
// HMAC-SHA256>` with its `Sentry-Hook-Timestamp`. A stale delivery (its time more than five
// minutes from ours) is refused as a replay.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const hmacHex = (secret: string, body: Buffer | string) =>
  createHmac('sha256', secret).update(body).digest('hex');

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

function fresh(at: number, now: number): boolean {
  return Number.isFinite(at) && Math.abs(now - at) <= SIGNATURE_TOLERANCE_MS;
}

export function checkPagerDutySignature(o: {
  secret: string;
  header: string | undefined;
  rawBody: Buffer;
  occurredAt: string | null;
  now: number;
}): SignatureCheck {
  if (!o.header) return { ok: false, reason: 'the X-PagerDuty-Signature header is missing' };
  const expected = hmacHex(o.secret, o.rawBody);
  const given = o.header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='))
    .map((s) => s.slice(3));
  if (!given.some((g) => sameHex(g, expected)))
    return { ok: false, reason: 'the PagerDuty signature does not match' };
  // PagerDuty signs no timestamp: the event's own time tells a replay.
  if (o.occurredAt !== null && !fresh(Date.parse(o.occurredAt), o.now)) {
    return { ok: false, reason: 'the PagerDuty event is stale (occurred_at is more than 5 minutes away)' };
  }
  return { ok: true };
}

export function checkSentrySignature(o: {
  secret: string;
  header: string | undefined;
  timestamp: string | undefined;
  rawBody: Buffer;
  now: number;
}): SignatureCheck {
  if (!o.header) return { ok: false, reason: 'the Sentry-Hook-Signature header is missing' };
  if (!sameHex(o.header.trim(), hmacHex(o.secret, o.rawBody))) {
    return { ok: false, reason: 'the Sentry signature does not match' };
  }
  if (o.timestamp !== undefined && !fresh(Number(o.timestamp) * 1000, o.now)) {
    return {
      ok: false,
      reason: 'the Sentry delivery is stale (Sentry-Hook-Timestamp is more than 5 minutes away)',
    };
  }
  return { ok: true };
}

/** The signatures tests and tools compute to sign a body as the tools do. */
export const signPagerDuty = (secret: string, body: Buffer | string) => `v1=${hmacHex(secret, body)}`;
export const signSentry = (secret: string, body: Buffer | string) => hmacHex(secret, body);
