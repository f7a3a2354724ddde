// The webhook events as the outbox keeps them: the Standard Webhooks payload `{type, timestamp,
// data}` for one subscription, and the notice that tells an owner their subscription was paused.
// Plain data, part of the closed Notice union (notices.ts).

export const WEBHOOK_EVENT_TYPES = [
  'step.assigned',
  'step.completed',
  'step.reminded',
  'step.escalated',
  'run.blocked',
  'run.closed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookEvent {
  type: WebhookEventType;
  /** When it happened, ISO 8601. */
  timestamp: string;
  data: Record<string, unknown>;
}

/** One event for one subscription, as the outbox keeps it until delivered. */
export interface WebhookNotice {
  type: 'webhook';
  /** The run the event is about (the outbox row itself belongs to no run thread). */
  runId?: string;
  /** The `webhook-id` header: the same on every attempt. */
  webhookId: string;
  event: WebhookEvent;
}

/** Told to a subscription's owner: it kept failing and was paused. */
export interface WebhookPausedNotice {
  type: 'webhook_paused';
  /** A subscription belongs to no run. */
  runId?: undefined;
  subscriptionId: number;
  url: string;
  error: string;
  attempts: number;
}
