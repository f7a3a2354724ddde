// Settling claimed outbox rows: what a delivery came to is written only while this worker still
// holds the row's lease (the repository checks), in one transaction with whatever the outcome or
// its channel records alongside. A row that another worker claimed since is theirs: the outcome
// is logged (`superseded`) and dropped.
import type { Logger } from '../logger.ts';
import type { OutboxRow, Repositories, Store } from '../persistence/ports.ts';
import type { DeliveryChannel, DeliveryOutcome } from './channel.ts';

export interface OutboxStats {
  sent: number;
  failed: number;
  retried: number;
  rateLimited: number;
  coalesced: number;
  waited: number;
  /** Held until the destination can take them (Slack: the bot is in the channel). */
  held: number;
  /** Found already delivered (the answer had been lost), and not delivered again. */
  adopted: number;
  /** Rows taken over from workers whose process is gone. */
  reclaimed: number;
  /** Outcomes not recorded: the lease had run out and another worker claimed the row since. */
  superseded: number;
  ticks: number;
  /** The last permanent failures, newest last (at most 20). */
  lastFailures: { id: number; runId: string | null; notice: string; error: string; at: number }[];
}

export const emptyStats = (): OutboxStats => ({
  sent: 0,
  failed: 0,
  retried: 0,
  rateLimited: 0,
  coalesced: 0,
  waited: 0,
  held: 0,
  adopted: 0,
  reclaimed: 0,
  superseded: 0,
  ticks: 0,
  lastFailures: [],
});

/** Settling a row: whether it was marked delivered, and until when its lane is rate limited. */
export interface Settled {
  sent: boolean;
  limitedUntil: number | null;
}

export interface SettlerDeps {
  store: Store;
  clock: () => number;
  log: Logger;
  workerId: string;
  /** Counted into as rows settle. */
  stats: OutboxStats;
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  random: () => number;
}

export function createSettler(deps: SettlerDeps) {
  const { store, clock, log, workerId, stats, maxAttempts, backoffMs, maxBackoffMs, random } = deps;

  function backoff(failures: number): number {
    const base = Math.min(maxBackoffMs, backoffMs * 2 ** Math.max(0, failures - 1));
    return Math.round(base * (0.75 + random() * 0.5));
  }

  /** The lease ran out and another worker claimed the row since: it is theirs, `outcome` is dropped. */
  function superseded(row: OutboxRow, outcome: string) {
    stats.superseded++;
    log.warn('outbox: lease lost, another sender holds the row; outcome not recorded', {
      id: row.id,
      runId: row.runId,
      worker: workerId,
      outcome,
    });
  }

  /** Every write in a transaction of its own: never inside another caller's open one. */
  const write = <T>(fn: (outbox: Repositories['outbox']) => Promise<T>) =>
    store.transaction((repos) => fn(repos.outbox));

  /** Failed for good, with what the channel records alongside (events, telling people). */
  async function giveUp(row: OutboxRow, channel: DeliveryChannel, error: string) {
    const now = clock();
    const fields = await store.transaction(async (repos) => {
      if (!(await repos.outbox.markFailed(row.id, workerId, error, now))) return null;
      return (await channel.failed?.(repos, row, { error, attempts: row.attempts + 1 }, now)) ?? {};
    });
    if (fields === null) {
      superseded(row, `failed: ${error}`);
      return;
    }
    stats.failed++;
    stats.lastFailures = [
      ...stats.lastFailures,
      { id: row.id, runId: row.runId, notice: row.notice.type, error, at: now },
    ].slice(-20);
    log.warn('outbox: message not delivered', {
      id: row.id,
      runId: row.runId,
      delivery: row.delivery.kind,
      notice: row.notice.type,
      error,
      ...fields,
    });
  }

  async function hold(row: OutboxRow, outcome: Extract<DeliveryOutcome, { kind: 'held' }>) {
    const now = clock();
    const fields = await store.transaction(async (repos) => {
      if (!(await repos.outbox.hold(row.id, workerId, outcome.error))) return null;
      return (await outcome.record?.(repos, now)) ?? {};
    });
    if (fields === null) {
      superseded(row, `held: ${outcome.error}`);
      return;
    }
    stats.held++;
    if (outcome.record)
      log.warn('outbox: held until its destination can take it', {
        id: row.id,
        runId: row.runId,
        error: outcome.error,
        ...fields,
      });
  }

  /** Record what happened to one row. */
  async function settle(
    row: OutboxRow,
    channel: DeliveryChannel,
    outcome: DeliveryOutcome,
  ): Promise<Settled> {
    const now = clock();
    const done: Settled = { sent: false, limitedUntil: null };
    switch (outcome.kind) {
      case 'sent': {
        const own = await store.transaction(async (repos) => {
          const mine = await repos.outbox.markSent(row.id, workerId, outcome.ref, now);
          await outcome.record?.(repos, mine);
          return mine;
        });
        if (!own) {
          superseded(row, 'sent');
          return done;
        }
        stats.sent++;
        if (outcome.adopted) stats.adopted++;
        return { sent: true, limitedUntil: null };
      }
      case 'coalesced':
        if (await write((o) => o.markSent(row.id, workerId, null, now))) stats.coalesced++;
        else superseded(row, 'coalesced');
        return done;
      case 'wait':
        await releaseAll([{ row, until: outcome.until }], outcome.why);
        return done;
      case 'lost':
        superseded(row, 'not sent');
        return done;
      case 'held':
        await hold(row, outcome);
        return done;
      case 'undeliverable':
        if (!(await write((o) => o.markFailed(row.id, workerId, outcome.error, now)))) {
          superseded(row, `failed: ${outcome.error}`);
          return done;
        }
        log.debug('outbox: nowhere to deliver', { id: row.id, runId: row.runId, error: outcome.error });
        return done;
      case 'rate_limited': {
        // Not the row's failure: it goes again after the wait, like the rest of its lane. The
        // destination took nothing: no earlier delivery to look for.
        const until = now + outcome.retryAfterMs;
        if (!(await write((o) => o.handBack(row.id, workerId, until, outcome.error, true))))
          superseded(row, `rate limited: ${outcome.error}`);
        stats.rateLimited++;
        log.info('outbox: rate limited', { id: row.id, retryAfterMs: outcome.retryAfterMs });
        return { sent: false, limitedUntil: until };
      }
      case 'retry': {
        const failures = row.attempts + 1;
        if (failures >= (channel.retry?.maxAttempts ?? maxAttempts)) {
          await giveUp(row, channel, `${outcome.error} (gave up after ${failures} failures)`);
          return done;
        }
        const delay = channel.retry ? channel.retry.delayMs(failures) : backoff(failures);
        if (!(await write((o) => o.retryLater(row.id, workerId, now + delay, outcome.error)))) {
          superseded(row, `retry: ${outcome.error}`);
          return done;
        }
        stats.retried++;
        log.info('outbox: will retry', { id: row.id, error: outcome.error, failures });
        return done;
      }
      case 'failed':
        await giveUp(row, channel, outcome.error);
        return done;
    }
  }

  /** Hand claimed rows back unsent, in one transaction (a backlog can be long); not attempts. */
  async function releaseAll(items: { row: OutboxRow; until: number }[], why: string) {
    if (items.length === 0) return;
    const lost = await write(async (o) => {
      const rows: OutboxRow[] = [];
      for (const { row, until } of items)
        if (!(await o.handBack(row.id, workerId, until, `waiting: ${why}`))) rows.push(row);
      return rows;
    });
    stats.waited += items.length - lost.length;
    for (const row of lost) superseded(row, `waiting: ${why}`);
  }

  return { settle, releaseAll, write };
}
