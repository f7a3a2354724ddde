// Timer kinds: one home for the names stored in `timers.kind`.

export const TIMER = {
  /** Step handed off, not acknowledged yet: mention the owners. */
  ackReminder: 'ack_reminder',
  /** Silent: the acknowledgement deadline passed (the step counts as overdue). */
  ackDue: 'ack_due',
  /** Not acknowledged well past the deadline: mention the next tier up. */
  ackEscalation: 'ack_escalation',
  doneReminder: 'done_reminder',
  doneDue: 'done_due',
  doneEscalation: 'done_escalation',
  /**
   * The GDPR Art. 33 clock (24, 48, 60, 70 h reminders and the 72 h deadline, then daily while
   * overdue). One kind, the mark in `data.mark`: the engine keeps timers of kind `gdpr` running
   * when a run closes, since notification is owed even after the incident is over.
   */
  gdpr: 'gdpr',
} as const;

export const ACK_KINDS = [TIMER.ackReminder, TIMER.ackDue, TIMER.ackEscalation];
export const REMINDER_KINDS = [TIMER.ackReminder, TIMER.doneReminder];
export const ESCALATION_KINDS = [TIMER.ackEscalation, TIMER.doneEscalation];
export const DUE_KINDS = [TIMER.ackDue, TIMER.doneDue];
