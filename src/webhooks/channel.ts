// The webhook delivery channel: the outbox worker's second transport. Each row is one event for
// one subscription, POSTed as JSON and signed as Standard Webhooks specify (`webhook-id`,
// `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`, by the `standardwebhooks`
// reference implementation). The `webhook-id` is stored with the row: every attempt repeats it.
// A run's events reach a subscriber in order (a lane per subscription and run; a row waits for
// the older ones of its lane). Failures are retried on the Standard Webhooks schedule, over
// more than 27 hours; a row that failed for good pauses its subscription and tells its owner in
// Slack (admins when it has none). Later rows of a paused or removed subscription are dropped.
import { Webhook } from 'standardwebhooks';
import { webhookLane } from '../domain/notices.ts';
import type { WebhookNotice, WebhookPausedNotice } from '../domain/webhook-events.ts';
import type { DeliveryChannel, DeliveryOutcome } from '../outbox/channel.ts';
import type { OutboxRow, Repositories, Store } from '../persistence/ports.ts';
import { postWebhook, WebhookPostError } from './post.ts';

/**
 * The waits after each failure: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (the schedule the
 * Standard Webhooks specification suggests); the eighth failure gives the row up, about 27.6 h
 * after the first attempt.
 */
export const WEBHOOK_RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
] as const;

export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_MS.length + 1;

/**
 * How long a row waits while an older event of its lane is still owed (that one may be backing
 * off for hours: the row is looked at again this often, not on every poll).
 */
const LANE_WAIT_MS = 2_000;

/** A receiver that does not answer within this is a failed attempt. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface WebhookChannelOptions {
  store: Store;
  /** The outbox worker's clock (when a waiting row is due again). */
  clock: () => number;
  /** Admins: told when a subscription without an owner is paused. */
  adminUserIds?: Iterable<string>;
  /** The `webhook-timestamp` (real time by default: receivers compare it with their own clock). */
  signingClock?: () => number;
  /** The least time between two deliveries of one lane (default none: a lane only keeps order). */
  intervalMs?: number;
  timeoutMs?: number;
}

/** The body of a delivery: `{type, timestamp, data}`. */
export const webhookBody = (n: WebhookNotice) =>
  JSON.stringify({ type: n.event.type, timestamp: n.event.timestamp, data: n.event.data });

export function createWebhookChannel(opts: WebhookChannelOptions): DeliveryChannel {
  const { store } = opts;
  const signingClock = opts.signingClock ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const admins = [...(opts.adminUserIds ?? [])];

  const laneOf = (row: OutboxRow) =>
    row.delivery.kind === 'webhook' ? webhookLane(row.delivery.subscriptionId, row.delivery.runId) : 'none';

  async function send(url: string, secret: string, notice: WebhookNotice): Promise<DeliveryOutcome> {
    const body = webhookBody(notice);
    const at = new Date(signingClock());
    const signature = new Webhook(secret).sign(notice.webhookId, at, body);
    try {
      const status = await postWebhook(
        url,
        {
          'content-type': 'application/json',
          'user-agent': 'ProjectLead-Webhooks/1',
          'webhook-id': notice.webhookId,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body,
        timeoutMs,
      );
      if (status >= 200 && status < 300) return { kind: 'sent', ref: String(status) };
      return { kind: 'retry', error: `HTTP ${status}` };
    } catch (err) {
      return { kind: 'retry', error: err instanceof WebhookPostError ? err.reason : String(err) };
    }
  }

  return {
    name: 'webhooks',
    kinds: ['webhook'],
    // A lane is one run's events for one subscriber, in order: nothing to pace but the order.
    intervalMs: opts.intervalMs ?? 0,
    deliveryTimeoutMs: timeoutMs + 1000,
    retry: {
      maxAttempts: WEBHOOK_MAX_ATTEMPTS,
      delayMs: (failures) =>
        WEBHOOK_RETRY_DELAYS_MS[Math.min(failures, WEBHOOK_RETRY_DELAYS_MS.length) - 1] ?? 5_000,
    },

    async lanesOf(rows) {
      return rows.map(laneOf);
    },

    async deliver(row) {
      if (row.delivery.kind !== 'webhook' || row.notice.type !== 'webhook')
        return { kind: 'failed', error: 'not_a_webhook' };
      const sub = await store.read.webhooks.get(row.delivery.subscriptionId);
      if (!sub) return { kind: 'undeliverable', error: 'subscription_removed' };
      if (sub.status === 'paused') return { kind: 'undeliverable', error: 'subscription_paused' };
      // An older event of this run for this subscriber goes first (it may be backing off).
      if (await store.read.outbox.hasEarlierPendingInLane(laneOf(row), row.id))
        return {
          kind: 'wait',
          until: opts.clock() + LANE_WAIT_MS,
          why: 'an earlier event of the run goes first',
        };
      return send(sub.url, sub.secret, row.notice);
    },

    /** Failed for good: the subscription is paused and its owner (or the admins) told in Slack. */
    async failed(repos: Repositories, row, failure, now) {
      if (row.delivery.kind !== 'webhook') return {};
      const sub = await repos.webhooks.get(row.delivery.subscriptionId);
      if (!sub || !(await repos.webhooks.pause(sub.id, failure.error, now))) return {};
      const notice: WebhookPausedNotice = {
        type: 'webhook_paused',
        subscriptionId: sub.id,
        url: sub.url,
        error: failure.error,
        attempts: failure.attempts,
      };
      const told = sub.owner ? [sub.owner] : admins;
      await repos.outbox.enqueue(
        told.map((userId) => ({ runId: null, delivery: { kind: 'dm' as const, userId }, notice })),
        now,
      );
      return { paused: sub.id, told };
    },
  };
}
