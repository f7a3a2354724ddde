// A delivery channel: one transport the outbox worker (worker.ts) delivers through. The worker
// owns claiming, leases, lanes, pacing, backoff and settling rows; a channel says which rows it
// takes, which lane each goes in, and what happened when it delivered one. Slack is one
// (src/slack/delivery/); a webhook channel can be another without the worker changing.
import type { Delivery } from '../domain/notices.ts';
import type { OutboxRow, Repositories } from '../persistence/ports.ts';

/** Fields a channel adds to the worker's log line about a row. */
export type LogFields = Record<string, unknown>;

/**
 * What delivering one row came to. The worker settles the row from it: only while it still
 * holds the row's lease, in one transaction with whatever the outcome or the channel records.
 */
export type DeliveryOutcome =
  /**
   * Delivered (`ref`: the transport's id for it, e.g. a Slack ts). `adopted`: found already
   * delivered (its answer had been lost) and not sent again. `record` runs in the transaction
   * that marks the row sent; `own` is false when another worker holds the row by then.
   */
  | {
      kind: 'sent';
      ref: string | null;
      adopted?: boolean;
      record?: (repos: Repositories, own: boolean) => Promise<void>;
    }
  /** Nothing to send: a newer row replaces this one. */
  | { kind: 'coalesced' }
  /** Not yet (an earlier row must go first): handed back unsent, due at `until`; no attempt. */
  | { kind: 'wait'; until: number; why: string }
  /** A failure worth another try (5xx, network, timeout): backed off, up to the attempt limit. */
  | { kind: 'retry'; error: string }
  /** The destination asks to slow down: this row and the rest of its lane wait that long. */
  | { kind: 'rate_limited'; retryAfterMs: number; error: string }
  /** Refused for good: failed, and the channel's `failed` hook runs. */
  | { kind: 'failed'; error: string }
  /**
   * The destination cannot take it until something outside changes (Slack: the bot is invited):
   * held, unclaimed, until released. `record` runs in the transaction that holds the row.
   */
  | { kind: 'held'; error: string; record?: (repos: Repositories, now: number) => Promise<LogFields> }
  /** Nowhere to deliver (a run started without a channel): failed, and nobody is told. */
  | { kind: 'undeliverable'; error: string }
  /** Another worker holds the row now (found before sending): nothing sent, nothing written. */
  | { kind: 'lost' };

export interface DeliveryChannel {
  /** For logs. */
  readonly name: string;
  /** The delivery kinds whose rows this channel delivers. */
  readonly kinds: readonly Delivery['kind'][];
  /**
   * The least time between two deliveries in one lane (Slack: about a message a second per
   * channel). A lane further behind hands its rows back, due at this pace.
   */
  readonly intervalMs: number;
  /**
   * The longest one `deliver` may take. A row is never delivered on a lease that may run out
   * before then, so no other worker can claim it mid-delivery.
   */
  readonly deliveryTimeoutMs: number;
  /**
   * Each row's lane: a lane delivers its rows in order, paced, while other lanes go on. A lane
   * key is the destination stored with the row (the outbox's `channel_id`: a Slack channel or
   * user), so that claims can leave busy and paced lanes out.
   */
  lanesOf(rows: readonly OutboxRow[]): Promise<string[]>;
  /**
   * How this channel's failures are retried, when not as the worker's options say: the failures
   * a row may have before it is given up, and the wait after the n-th failure (webhooks retry
   * over more than a day; Slack within minutes).
   */
  readonly retry?: { maxAttempts: number; delayMs(failures: number): number };
  /** Deliver one claimed row. A thrown error leaves the row leased until its lease ends. */
  deliver(row: OutboxRow): Promise<DeliveryOutcome>;
  /**
   * In the transaction that fails the row for good (refused, or too many failures), while the
   * worker still holds it: what else the channel records (events, telling people).
   */
  failed?(
    repos: Repositories,
    row: OutboxRow,
    failure: { error: string; attempts: number },
    now: number,
  ): Promise<LogFields>;
}
