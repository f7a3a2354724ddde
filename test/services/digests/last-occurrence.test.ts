// The last date a schedule fell due: the quick path (minutes and hours named plainly: only those
// times of each day are tried) finds what a check of every minute finds.
import { describe, expect, it } from 'vitest';
import { lastOccurrence } from '../../../src/services/digests/digest-periods.ts';

const DAY = 24 * 3600_000;
// `0-0` means minute 0 too, but is not a plain list: it takes the minute-by-minute path.
const slow = (expr: string) => expr.replace(/^(\d+) /, '$1-$1 ');

describe('lastOccurrence', () => {
  const cases = ['0 9 * * 1-5', '0 9 * * 1', '30 8,17 * * *', '0 9 1 1,4,7,10 *', '15 2 * * *'];
  const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'];
  it.each(cases)('%s: the quick path agrees with every minute checked', (expr) => {
    // The minute-by-minute check of a quarter is slow: one zone and one moment for it.
    const quarterly = expr.includes('1,4,7,10');
    // Around the March and October clock changes too.
    const nows = [Date.UTC(2026, 2, 29, 1, 30), Date.UTC(2026, 9, 25, 7, 0), Date.UTC(2026, 10, 2, 9, 0)];
    for (const zone of quarterly ? ['Europe/Paris'] : zones) {
      for (const now of quarterly ? [Date.UTC(2026, 3, 1, 12, 0)] : nows) {
        const lookback = quarterly ? 95 * DAY : 8 * DAY;
        expect(lastOccurrence(expr, zone, now, lookback)).toBe(
          lastOccurrence(slow(expr), zone, now, lookback),
        );
      }
    }
  });

  it('finds nothing outside the lookback', () => {
    expect(lastOccurrence('0 9 1 1 *', 'UTC', Date.UTC(2026, 10, 2), 8 * DAY)).toBeNull();
  });
});
