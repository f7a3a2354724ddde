// The payloads of the clock notices (outbox messages): reminders, escalations and the GDPR
// clock. Plain data, prepared by src/services/clocks and rendered by each surface when sent.
import type { RoleMention } from './types.ts';

/** The tiers of a role's escalation path, from the role directory. */
export type EscalationTier = 'direct' | 'crossFunctional' | 'exec';

/** When a timer fired more than a minute after it was due. */
export type Lateness = {
  dueAt: number;
  firedAt: number;
  late: boolean;
  lateByMs: number;
};

type StepClockNotice = Lateness & {
  runId: string;
  runTitle: string;
  stepKey: string;
  stepTitle: string;
  /** Acknowledgement clock or completion clock. */
  phase: 'ack' | 'done';
  /** The roles still to act, with who holds them. */
  owners: RoleMention[];
  startedAt: number | null;
  deadlineAt: number | null;
  /** The deadline regime in words ("response within 1 h"). */
  regime: string;
  blockedReason: string | null;
};

export type ReminderNotice = StepClockNotice & {
  type: 'reminder';
};

export type EscalationNotice = StepClockNotice & {
  type: 'escalation';
  /** Who was escalated to, one per owner role (tier and holders). */
  escalatedTo: (RoleMention & { tier: EscalationTier; from: string; repeated: boolean })[];
  /** Owner roles with nobody above them holding a role: the admins are told instead. */
  noTarget: string[];
  /** Roles on the escalation paths that nobody holds, passed over (absent in older rows). */
  passedOver?: string[];
  /** The admins told because an escalation path ended with nobody (empty: none is set). */
  admins?: string[];
};

export type GdprNotice = Partial<Lateness> & {
  type: 'gdpr';
  runId: string;
  runTitle: string;
  /** `24h`…`70h` reminders, `72h` the deadline, `overdue`, `started`, `notified`, `stopped`. */
  mark: string;
  startedAt: number;
  deadlineAt: number;
  remainingMs: number;
  mentions: RoleMention[];
  by?: string | null;
};

export type ClockNotice = ReminderNotice | EscalationNotice | GdprNotice;
