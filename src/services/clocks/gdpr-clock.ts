// The GDPR Art. 33 clock: 72 hours from the moment a breach assessment records that user data
// was exposed until Privacy records the notification to the authority. Pure helpers; the clock
// itself lives on the run (`context.gdprClock`) and as timers of kind `gdpr`.

import type { GdprNotice } from '../../domain/clock-notices.ts';
import type { RoleMention, Run } from '../../domain/types.ts';

const HOUR = 3_600_000;

export const GDPR_DEADLINE_HOURS = 72;
/** Reminders to Privacy and Ghabs before the deadline, in hours from the start. */
export const GDPR_REMINDER_HOURS = [24, 48, 60, 70] as const;
/** While overdue, a reminder every this often. */
export const GDPR_OVERDUE_EVERY_MS = 24 * HOUR;
/** Who is reminded: the independent privacy role and the risk acceptor. */
export const GDPR_ROLES = ['Privacy', 'Ghabs'] as const;

export interface GdprClock {
  startedAt: number;
  deadlineAt: number;
  /** When Privacy recorded the notification (the clock stopped). */
  notifiedAt?: number | null;
  notifiedBy?: string | null;
  /** When the exposure was corrected to "no user data exposed" (the clock stopped). */
  stoppedAt?: number | null;
}

export interface GdprClockView extends GdprClock {
  running: boolean;
  /** Time left to the deadline (negative when overdue), while running. */
  remainingMs: number;
  overdue: boolean;
}

export function gdprMarks(startedAt: number): { mark: string; hour: number; dueAt: number }[] {
  return [...GDPR_REMINDER_HOURS, GDPR_DEADLINE_HOURS].map((hour) => ({
    mark: `${hour}h`,
    hour,
    dueAt: startedAt + hour * HOUR,
  }));
}

export function newGdprClock(startedAt: number): GdprClock {
  return {
    startedAt,
    deadlineAt: startedAt + GDPR_DEADLINE_HOURS * HOUR,
    notifiedAt: null,
    notifiedBy: null,
    stoppedAt: null,
  };
}

/** The run's GDPR clock as the root message and digests show it, or null when it never started. */
export function gdprClockOf(run: Pick<Run, 'context'>, now: number): GdprClockView | null {
  const c = run.context.gdprClock as GdprClock | undefined;
  if (!c || typeof c.startedAt !== 'number') return null;
  const running = !c.notifiedAt && !c.stoppedAt;
  const remainingMs = c.deadlineAt - now;
  return { ...c, running, remainingMs, overdue: running && remainingMs <= 0 };
}

/**
 * The GDPR message at one mark of the clock, mentioning who holds Privacy and Ghabs now
 * (`holdersOf` gives a role's holders).
 */
export function gdprNotice(
  run: Pick<Run, 'id' | 'title'>,
  clock: Pick<GdprClock, 'startedAt' | 'deadlineAt'>,
  now: number,
  holdersOf: (role: string) => string[],
  { mark, ...extra }: Omit<Partial<GdprNotice>, 'type'> & { mark: string },
): GdprNotice {
  const mentions: RoleMention[] = GDPR_ROLES.map((role) => ({ role, principals: holdersOf(role) }));
  return {
    type: 'gdpr',
    runId: run.id,
    runTitle: run.title,
    mark,
    startedAt: clock.startedAt,
    deadlineAt: clock.deadlineAt,
    remainingMs: clock.deadlineAt - now,
    mentions,
    ...extra,
  };
}
