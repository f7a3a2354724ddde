// The clock builders: reminders, escalations, the GDPR clock, and the answers to their buttons.
export { buildGdprMessage, buildGdprRecordedMessage } from './gdpr.ts';
export { buildEscalationMessage, buildReminderMessage, buildSnoozedMessage } from './step-clocks.ts';
