// PagerDuty's and Sentry's webhook signatures: a good one passes, a wrong or missing one and a
// stale delivery are refused with the reason.
import { describe, expect, it } from 'vitest';
import {
  checkPagerDutySignature,
  checkSentrySignature,
  signPagerDuty,
  signSentry,
} from '../../src/alerts/signatures.ts';

const body = Buffer.from('{"event":{"id":"01","occurred_at":"2026-11-02T09:00:00.000Z"}}');
const now = Date.parse('2026-11-02T09:01:00.000Z');

describe('PagerDuty signatures', () => {
  const check = (
    header: string | undefined,
    occurredAt: string | null = '2026-11-02T09:00:00.000Z',
    at = now,
  ) => checkPagerDutySignature({ secret: 'pd-secret', header, rawBody: body, occurredAt, now: at });

  it('takes a good signature, one of several while a secret rotates', () => {
    expect(check(signPagerDuty('pd-secret', body))).toEqual({ ok: true });
    expect(check(`${signPagerDuty('old-secret', body)}, ${signPagerDuty('pd-secret', body)}`)).toEqual({
      ok: true,
    });
  });

  it('refuses a wrong, missing or stale one', () => {
    expect(check(signPagerDuty('other', body))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not match/),
    });
    expect(check(undefined)).toMatchObject({ ok: false, reason: expect.stringMatching(/missing/) });
    expect(check('v1=zz')).toMatchObject({ ok: false });
    expect(check(signPagerDuty('pd-secret', body), '2026-11-02T08:00:00.000Z')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/stale/),
    });
  });
});

describe('Sentry signatures', () => {
  const check = (header: string | undefined, timestamp: string | undefined = String(now / 1000 - 30)) =>
    checkSentrySignature({ secret: 'client-secret', header, timestamp, rawBody: body, now });

  it('takes a good signature', () => {
    expect(check(signSentry('client-secret', body))).toEqual({ ok: true });
  });

  it('refuses a wrong, missing or stale one', () => {
    expect(check(signSentry('nope', body))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not match/),
    });
    expect(check(undefined)).toMatchObject({ ok: false });
    expect(check(signSentry('client-secret', body), String(now / 1000 - 3600))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/stale/),
    });
    expect(check(signSentry('client-secret', Buffer.from('{"tampered":1}')))).toMatchObject({ ok: false });
  });
});
