import { describe, expect, it } from 'vitest';
import { createDigestCron } from '../../src/jobs/digest-cron.ts';
import { lastOccurrence, periodKey } from '../../src/services/clocks/digest-periods.ts';
import { createDigestService } from '../../src/services/clocks/digest-service.ts';
import { createClockEngine } from '../services/clocks/clock-engine.ts';
import { TestClock } from '../support/engine.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('digest schedule in the digest time zone', () => {
  it('when daylight saving starts in Paris, then the 09:00 digest moves from 08:00 to 07:00 UTC and keys follow the local date', () => {
    const expr = '0 9 * * 1-5';
    expect(iso(lastOccurrence(expr, 'Europe/Paris', Date.UTC(2026, 2, 27, 12)))).toBe(
      '2026-03-27T08:00:00.000Z',
    ); // Fri, UTC+1
    expect(iso(lastOccurrence(expr, 'Europe/Paris', Date.UTC(2026, 2, 30, 6, 59)))).toBe(
      '2026-03-27T08:00:00.000Z',
    ); // Mon before 09:00 CEST
    expect(iso(lastOccurrence(expr, 'Europe/Paris', Date.UTC(2026, 2, 30, 7, 0)))).toBe(
      '2026-03-30T07:00:00.000Z',
    ); // Mon 09:00 CEST
    expect(iso(lastOccurrence('0 9 * * 1', 'America/New_York', Date.UTC(2026, 10, 2, 15)))).toBe(
      '2026-11-02T14:00:00.000Z',
    ); // after DST ends
    expect(periodKey('daily', Date.UTC(2026, 2, 29, 22, 30), 'Europe/Paris')).toBe('daily:2026-03-30');
    expect(periodKey('weekly', Date.UTC(2026, 2, 29, 22, 30), 'Europe/Paris')).toBe('weekly:2026-W14');
    expect(periodKey('weekly', Date.UTC(2026, 2, 29, 21, 30), 'Europe/Paris')).toBe('weekly:2026-W13');
  });

  it('when the bot starts across the change, then the missed Monday digest is caught up once under its local date', async () => {
    const clock = new TestClock(Date.UTC(2026, 2, 30, 7, 30)); // Mon 09:30 CEST
    const e = await createClockEngine({ clock });
    const digests = createDigestService({
      store: e.store,
      clock: clock.now,
      timeZone: 'Europe/Paris',
      channel: 'CALGO',
      playbooks: e.playbooks,
      workerId: 'w',
    });
    const cron = createDigestCron({
      digests,
      clock: clock.now,
      schedules: { daily: '0 9 * * 1-5', weekly: '0 9 * * 1' },
      timeZone: 'Europe/Paris',
    });
    const first = await cron.start();
    await cron.stop();
    expect(first.map((r) => [r.periodKey, r.posted])).toEqual([
      ['daily:2026-03-30', true],
      ['weekly:2026-W14', true],
    ]);
    expect((await cron.catchUp()).every((r) => !r.posted)).toBe(true);
  });
});
