// Digest periods: the key that makes a digest post at most once (`daily:2026-11-02` in the
// digest zone, `weekly:2026-W45`), and the last time a cron schedule fell due, to catch up a
// digest missed while the bot was down.
import { TZDate } from '@date-fns/tz';
import { startOfDay, startOfISOWeek } from 'date-fns';
import cron from 'node-cron';
import type { DigestKind } from '../../domain/reports.ts';
import { isoWeek, localDate } from '../clocks/business-time.ts';

export function periodKey(kind: DigestKind, at: number, timeZone: string): string {
  return kind === 'daily' ? `daily:${localDate(at, timeZone)}` : `weekly:${isoWeek(at, timeZone)}`;
}

/** When the period containing `at` began: local midnight, or Monday 00:00 of the ISO week. */
export function periodStart(kind: DigestKind, at: number, timeZone: string): number {
  const local = new TZDate(at, timeZone);
  return (kind === 'daily' ? startOfDay(local) : startOfISOWeek(local)).getTime();
}

const MINUTE = 60_000;

/** A cron field that is a plain number or list of numbers (`9`, `0,30`); null otherwise. */
function plainList(field: string | undefined, max: number): number[] | null {
  if (field === undefined || !/^\d+(,\d+)*$/.test(field)) return null;
  const values = field.split(',').map(Number);
  return values.every((v) => v <= max) ? [...new Set(values)].sort((a, b) => b - a) : null;
}

/**
 * The latest minute at or before `now` matching the cron expression in the zone, looking back
 * at most `lookbackMs` (default 8 days); null when none. When the expression names its minutes
 * and hours plainly (`0 9 1 1,4,7,10 *`), only those times of each day are tried, so a lookback
 * of a quarter costs a few hundred checks rather than a check a minute.
 */
export function lastOccurrence(
  expression: string,
  timeZone: string,
  now: number,
  lookbackMs = 8 * 24 * 60 * MINUTE,
): number | null {
  const task = cron.createTask(expression, () => undefined, { timezone: timeZone });
  try {
    const fields = expression.trim().split(/\s+/);
    const minutes = fields.length === 5 ? plainList(fields[0], 59) : null;
    const hours = fields.length === 5 ? plainList(fields[1], 23) : null;
    if (minutes && hours) {
      const today = new TZDate(now, timeZone);
      for (let back = 0; back * 24 * 60 * MINUTE <= lookbackMs + 24 * 60 * MINUTE; back++) {
        for (const h of hours) {
          for (const m of minutes) {
            const at = new TZDate(
              today.getFullYear(),
              today.getMonth(),
              today.getDate() - back,
              h,
              m,
              timeZone,
            ).getTime();
            if (at <= now && at >= now - lookbackMs && task.match(new Date(at))) return at;
          }
        }
      }
      return null;
    }
    for (let at = Math.floor(now / MINUTE) * MINUTE; at >= now - lookbackMs; at -= MINUTE) {
      if (task.match(new Date(at))) return at;
    }
    return null;
  } finally {
    void task.destroy();
  }
}
