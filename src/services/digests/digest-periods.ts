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

/**
 * The latest minute at or before `now` matching the cron expression in the zone, looking back
 * at most `lookbackMs` (default 8 days); null when none.
 */
export function lastOccurrence(
  expression: string,
  timeZone: string,
  now: number,
  lookbackMs = 8 * 24 * 60 * MINUTE,
): number | null {
  const task = cron.createTask(expression, () => undefined, { timezone: timeZone });
  try {
    for (let at = Math.floor(now / MINUTE) * MINUTE; at >= now - lookbackMs; at -= MINUTE) {
      if (task.match(new Date(at))) return at;
    }
    return null;
  } finally {
    void task.destroy();
  }
}
