// Deadline policy: when a newly active step is reminded, falls due and is escalated. Pure.
//
// A step gets two clocks, each a reminder, a deadline and one or more escalations:
//   acknowledgement: the owner presses step_ack; the clock stops.
//   completion:      the step is done (or skipped, rejected, the run closed).
// Each escalation goes one tier further up the owner's escalation path (direct lead →
// cross-functional lead → exec). Severity decides for `deadline: severity` steps of runs whose
// playbook has a severity table (Bug Fix, Incident Response) once the severity is known;
// every other step follows seed 000 ("acknowledge within 12 h, reminder at hour 10, escalate
// at hour 14").
//
// | regime (response)                    | ack: remind / due / escalate      | done: remind / due / escalate     |
// |--------------------------------------|-----------------------------------|-----------------------------------|
// | standard (seed 000)                  | 10 h / 12 h / 14 h                | 3 d / 4 d / 5 d, 7 d              |
// | immediate (Critical, SEV1)           | 5 min / 10 min / 15 min           | 1 h / 2 h / 3 h, 4 h              |
// | window W (High PT24H, SEV2 PT1H)     | 10/12 W / W / 14/12 W             | 3 W / 4 W / 5 W, 7 W              |
// | next business day (SEV3)             | BD+1 09:00 / BD+1 17:00 / BD+2 11:00 | BD+2 / BD+3 / BD+4, BD+6 (17:00) |
// | next sprint (Medium; sprint = 10 BD) | BD+1 09:00 / BD+1 17:00 / BD+2 11:00 | BD+8 / BD+10 / BD+12, BD+15 (17:00) |
// | backlog (Low: @ProjectLead tracks)   | BD+5 09:00 / none / none          | BD+20 09:00 / none / none         |
//
// The window rule scales seed 000's proportions (remind at 10/12, escalate at 14/12 of the
// window). A step with `completeWithin` (a retrospective due one week after launch) is reminded
// and due at that time after its handoff, escalated a day and three days later. BD+n is the n-th business day (Mon–Fri) after the step started, local time in the
// work time zone. "Due" times are silent: they mark the step overdue (digests, root message).
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import type { Run, Step } from '../../domain/types.ts';
import { businessDayAt, DEFAULT_WORK_HOURS, type WorkHours } from './business-time.ts';
import { TIMER } from './timer-kinds.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export type Regime =
  | { kind: 'standard' }
  | { kind: 'immediate' }
  | { kind: 'window'; ms: number }
  | { kind: 'next_business_day' }
  | { kind: 'next_sprint' }
  | { kind: 'backlog' };

export interface PlannedTimer {
  kind: string;
  dueAt: number;
  data: Record<string, unknown>;
}

export interface PolicyOptions {
  workTimeZone: string;
  workHours?: WorkHours;
  /** Business days in a sprint (Medium bugs: "next sprint"). */
  sprintBusinessDays?: number;
}

/** `PT24H` → ms, `PT30M` → ms. */
export function parseWindow(iso: string): number | null {
  const m = /^PT(\d+)([HM])$/.exec(iso);
  if (!m) return null;
  return Number(m[1]) * (m[2] === 'H' ? HOUR : MIN);
}

/** `P7D`, `PT48H`, `P1DT12H` → ms; null when it is not such a duration. */
export function parseDuration(iso: string): number | null {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!m || !/\d/.test(iso)) return null;
  return Number(m[1] ?? 0) * DAY + Number(m[2] ?? 0) * HOUR + Number(m[3] ?? 0) * MIN;
}

/**
 * A step due a set time after its handoff (`completeWithin`, e.g. a retrospective within one
 * week of launch): its owners are reminded when it falls due, then escalated a day and three
 * days later. Null for a step without one.
 */
function completeWithinClock(playbook: Playbook | undefined, stepKey: string, start: number): Clock | null {
  const within = playbook?.steps.find((s) => s.key === stepKey)?.completeWithin;
  const ms = within ? parseDuration(within) : null;
  if (!ms) return null;
  return { remind: start + ms, due: start + ms, escalate: [start + ms + DAY, start + ms + 3 * DAY] };
}

/** The regime a step follows, from its playbook and the run's severity. */
export function regimeFor(
  playbook: Playbook | undefined,
  run: Pick<Run, 'severity'>,
  stepKey: string,
): Regime {
  const spec = playbook?.steps.find((s) => s.key === stepKey);
  if (!playbook || !spec || spec.deadline !== 'severity' || !run.severity) return { kind: 'standard' };
  const row =
    playbook.severities?.bug?.find((s) => s.id === run.severity) ??
    playbook.severities?.incident?.find((s) => s.id === run.severity);
  if (!row) return { kind: 'standard' };
  const within = row.responseWithin;
  if (within === 'immediate') return { kind: 'immediate' };
  if (within === 'next_business_day') return { kind: 'next_business_day' };
  if (within === 'next_sprint') return { kind: 'next_sprint' };
  if (within === 'backlog') return { kind: 'backlog' };
  const ms = parseWindow(within);
  return ms ? { kind: 'window', ms } : { kind: 'standard' };
}

export function regimeLabel(r: Regime): string {
  switch (r.kind) {
    case 'standard':
      return 'acknowledge within 12 h';
    case 'immediate':
      return 'immediate response';
    case 'window':
      return r.ms >= HOUR ? `response within ${r.ms / HOUR} h` : `response within ${r.ms / MIN} min`;
    case 'next_business_day':
      return 'response by the next business day';
    case 'next_sprint':
      return 'response by the next sprint';
    case 'backlog':
      return 'backlog';
  }
}

interface Clock {
  remind: number | null;
  due: number | null;
  escalate: number[];
}

function clocksFor(r: Regime, start: number, o: PolicyOptions): { ack: Clock; done: Clock } {
  const tz = o.workTimeZone;
  const wh = o.workHours ?? DEFAULT_WORK_HOURS;
  const bd = (n: number, hour: number) => businessDayAt(start, n, hour, tz);
  const at = (...offsets: number[]) => offsets.map((x) => start + x);
  switch (r.kind) {
    case 'standard':
      return {
        ack: { remind: start + 10 * HOUR, due: start + 12 * HOUR, escalate: at(14 * HOUR) },
        done: { remind: start + 3 * DAY, due: start + 4 * DAY, escalate: at(5 * DAY, 7 * DAY) },
      };
    case 'immediate':
      return {
        ack: { remind: start + 5 * MIN, due: start + 10 * MIN, escalate: at(15 * MIN) },
        done: { remind: start + HOUR, due: start + 2 * HOUR, escalate: at(3 * HOUR, 4 * HOUR) },
      };
    case 'window': {
      const w = r.ms;
      return {
        ack: {
          remind: start + Math.round((w * 10) / 12),
          due: start + w,
          escalate: at(Math.round((w * 14) / 12)),
        },
        done: { remind: start + 3 * w, due: start + 4 * w, escalate: at(5 * w, 7 * w) },
      };
    }
    case 'next_business_day':
      return {
        ack: { remind: bd(1, wh.start), due: bd(1, wh.end), escalate: [bd(2, wh.start + 2)] },
        done: { remind: bd(2, wh.end), due: bd(3, wh.end), escalate: [bd(4, wh.end), bd(6, wh.end)] },
      };
    case 'next_sprint': {
      const s = o.sprintBusinessDays ?? 10;
      return {
        ack: { remind: bd(1, wh.start), due: bd(1, wh.end), escalate: [bd(2, wh.start + 2)] },
        done: {
          remind: bd(Math.max(1, s - 2), wh.end),
          due: bd(s, wh.end),
          escalate: [bd(s + 2, wh.end), bd(Math.round(s * 1.5), wh.end)],
        },
      };
    }
    case 'backlog':
      return {
        ack: { remind: bd(5, wh.start), due: null, escalate: [] },
        done: { remind: bd(20, wh.start), due: null, escalate: [] },
      };
  }
}

/** A role's own windows (roles.yml `windows`), in ms. */
export interface RoleWindows {
  ackMs?: number;
  doneMs?: number;
}

/**
 * The windows of a step whose owner roles all give their own (agents answer in minutes): the
 * longest of each, so no owner is nagged sooner than its role says; null when any owner has none.
 */
export function stepWindows(
  owners: readonly string[],
  windowsOf: (role: string) => { acknowledge?: string; complete?: string } | null,
): RoleWindows | null {
  const all = owners.map(windowsOf);
  if (all.length === 0 || all.some((w) => !w)) return null;
  const longest = (key: 'acknowledge' | 'complete') => {
    const ms = all.map((w) => (w?.[key] ? parseWindow(w[key]) : null));
    return ms.some((x) => x === null) ? undefined : Math.max(...(ms as number[]));
  };
  const ackMs = longest('acknowledge');
  const doneMs = longest('complete');
  return ackMs === undefined && doneMs === undefined
    ? null
    : { ...(ackMs !== undefined ? { ackMs } : {}), ...(doneMs !== undefined ? { doneMs } : {}) };
}

const minutesOrHours = (ms: number) =>
  ms >= HOUR && ms % HOUR === 0 ? `${ms / HOUR} h` : `${Math.round(ms / MIN)} min`;

/** "the role's clock: acknowledge within 10 min, done within 1 h". */
function windowsLabel(w: RoleWindows): string {
  const parts = [
    ...(w.ackMs ? [`acknowledge within ${minutesOrHours(w.ackMs)}`] : []),
    ...(w.doneMs ? [`done within ${minutesOrHours(w.doneMs)}`] : []),
  ];
  return `the role's clock: ${parts.join(', ')}`;
}

/** The clocks a role's windows set (each replaces the chain's clock of that kind). */
function windowClocks(w: RoleWindows, start: number, base: { ack: Clock; done: Clock }) {
  const at = (ms: number, num: number, den: number) => start + Math.round((ms * num) / den);
  return {
    ack: w.ackMs
      ? { remind: at(w.ackMs, 10, 12), due: start + w.ackMs, escalate: [at(w.ackMs, 14, 12)] }
      : base.ack,
    done: w.doneMs
      ? {
          remind: at(w.doneMs, 3, 4),
          due: start + w.doneMs,
          escalate: [at(w.doneMs, 5, 4), at(w.doneMs, 7, 4)],
        }
      : base.done,
  };
}

/** The timers of a step that just became active (or was handed to someone else). */
export function planStepTimers(
  input: {
    playbook: Playbook | undefined;
    run: Pick<Run, 'severity'>;
    step: Pick<Step, 'key' | 'acknowledgedAt'>;
    start: number;
    /** The owner roles' own windows (stepWindows), when they give them. */
    windows?: RoleWindows | null;
  },
  options: PolicyOptions,
): PlannedTimer[] {
  const regime = regimeFor(input.playbook, input.run, input.step.key);
  const chainClocks = clocksFor(regime, input.start, options);
  const windowed = input.windows ? windowClocks(input.windows, input.start, chainClocks) : chainClocks;
  const ack = windowed.ack;
  // A step due within a fixed time of its start (the retrospective a week after rollout) keeps it.
  const done = completeWithinClock(input.playbook, input.step.key, input.start) ?? windowed.done;
  const label = input.windows ? windowsLabel(input.windows) : regimeLabel(regime);
  const base = { regime: input.windows ? 'role_windows' : regime.kind, label, startedAt: input.start };
  const out: PlannedTimer[] = [];
  const add = (kind: string, dueAt: number | null, extra: Record<string, unknown> = {}) => {
    if (dueAt !== null) out.push({ kind, dueAt, data: { ...base, ...extra } });
  };
  if (input.step.acknowledgedAt === null) {
    add(TIMER.ackReminder, ack.remind, { deadlineAt: ack.due });
    add(TIMER.ackDue, ack.due);
    for (const e of ack.escalate) add(TIMER.ackEscalation, e, { deadlineAt: ack.due });
  }
  add(TIMER.doneReminder, done.remind, { deadlineAt: done.due });
  add(TIMER.doneDue, done.due);
  for (const e of done.escalate) add(TIMER.doneEscalation, e, { deadlineAt: done.due });
  return out;
}
