// Business days and period keys in a configured time zone (date-fns with @date-fns/tz).
// Business days are Monday to Friday; there is no holiday calendar.
import { TZDate } from '@date-fns/tz';
// One module per function: the package's index loads all 300 of them (a tenth of the start-up).
import { addDays } from 'date-fns/addDays';
import { format } from 'date-fns/format';
import { getISODay } from 'date-fns/getISODay';

export interface WorkHours {
  /** Hour the working day starts (local), e.g. 9. */
  start: number;
  /** Hour it ends (local), e.g. 17. */
  end: number;
}

export const DEFAULT_WORK_HOURS: WorkHours = { start: 9, end: 17 };

const isBusinessDay = (d: Date) => getISODay(d) <= 5;

/**
 * The instant `hour:minute` local time on the `n`-th business day after the day of `from`
 * (n = 1: the next business day). DST is handled by the zone: 09:00 stays 09:00 local.
 */
export function businessDayAt(from: number, n: number, hour: number, timeZone: string, minute = 0): number {
  let d = new TZDate(from, timeZone);
  let left = n;
  while (left > 0) {
    d = addDays(d, 1);
    if (isBusinessDay(d)) left--;
  }
  const local = new TZDate(d.getFullYear(), d.getMonth(), d.getDate(), hour, minute, 0, timeZone);
  return local.getTime();
}

/** `2026-11-02` in the zone. */
export function localDate(at: number, timeZone: string): string {
  return format(new TZDate(at, timeZone), 'yyyy-MM-dd');
}

/** ISO week `2026-W45` in the zone. */
export function isoWeek(at: number, timeZone: string): string {
  return format(new TZDate(at, timeZone), "RRRR-'W'II");
}

/** `2026-11-02 09:00` in the zone (for messages and digests). */
export function localDateTime(at: number, timeZone: string): string {
  return format(new TZDate(at, timeZone), 'yyyy-MM-dd HH:mm');
}

/** A short human duration: `45s` under a minute, `45m`, `3h 20m`, `2d 4h`. */
export function humanDuration(ms: number): string {
  const neg = ms < 0;
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 60) return `${neg && seconds > 0 ? '-' : ''}${seconds}s`;
  let m = Math.floor(seconds / 60);
  const d = Math.floor(m / 1440);
  m -= d * 1440;
  const h = Math.floor(m / 60);
  m -= h * 60;
  const parts = d > 0 ? [`${d}d`, h > 0 ? `${h}h` : ''] : h > 0 ? [`${h}h`, m > 0 ? `${m}m` : ''] : [`${m}m`];
  return `${neg ? '-' : ''}${parts.filter(Boolean).join(' ')}`;
}
