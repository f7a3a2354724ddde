// The outbox worker: delivers what the services wrote to the outbox, in the same transaction as
// each state change, through its delivery channels (channel.ts; Slack's is src/slack/delivery/).
// At least once, in order per lane, paced per lane, and one lane never holds up another. It knows
// no transport: a channel says which rows it takes, their lanes and what delivering one came to.
//
// - Claims due rows with the repository's lease, so two bot processes never send one row: every
//   poll, and at once when this process commits messages or a lane finishes (at most one such
//   claim every `wakeGapMs`).
// - A lane further behind its pace than a poll is left out of claims, and its due rows are parked
//   at their turns (`park`), so a claim never reads a backlog it cannot send.
// - Each lane (a destination: a Slack channel, or a user for DMs) delivers its rows in order,
//   paced, while the next polls claim and start the other lanes' rows. A hung delivery holds its
//   own lane only; its destination is left out of claims until the lane is done.
// - About one delivery per lane per the channel's `intervalMs`; a rate limit waits as long as it
//   says; other failures back off exponentially with jitter, up to `maxAttempts`.
// - A row's `attempts` counts real attempts only: each failed delivery, and the one that
//   delivered it, dropped it (coalesced), held it or gave it up. Handing a row back unsent
//   (`handBack`: waiting for an earlier row, the lane's pace, a rate limit, a lease too short to
//   deliver on) is not an attempt, so a pending row's `attempts` is how many times it failed, and
//   that is what `maxAttempts` bounds.
// - What happened to a row is recorded only while this worker still holds it. When a slow
//   delivery outlasted the lease and another worker claimed the row since, the row is theirs:
//   this worker's outcome is logged (`superseded` in the stats) and not written.
// - A worker killed mid-delivery leaves leases behind: another worker on the same machine finds
//   its process gone (worker-identity.ts), or on PostgreSQL any replica finds its session gone
//   (`store.liveness`), and takes its rows at once, not after the lease.
import type { Logger } from '../logger.ts';
import type { OutboxRow, Store } from '../persistence/ports.ts';
import type { DeliveryChannel, DeliveryOutcome } from './channel.ts';
import { createSettler, emptyStats, type OutboxStats } from './settle.ts';
import { isGoneWorker, registerLiveWorker } from './worker-identity.ts';

export interface OutboxWorkerOptions {
  store: Store;
  /** Each delivery kind is taken by one of them. */
  channels: readonly DeliveryChannel[];
  clock: () => number;
  log: Logger;
  /** Names this process in the lease (`claimed_by`); `newWorkerId()` lets others see it die. */
  workerId: string;
  /** How long a claim holds a row; a crashed worker's rows are claimable again after it. */
  leaseMs?: number;
  /** Failures of one row before it is given up. */
  maxAttempts?: number;
  /** Rows claimed per tick. */
  batchSize?: number;
  /** Lanes delivering at once, at most (each is one delivery in flight). */
  maxLanes?: number;
  /** First backoff delay; doubles per failure, up to `maxBackoffMs`, with ±25% jitter. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * The longest a lane waits for its next slot. A lane further behind hands its rows back, due
   * at its pace. Default: the shortest channel interval, at most 250 ms.
   */
  maxPacingWaitMs?: number;
  /** Claims that commits and finished lanes ask for start at most this often (WAKE_GAP_MS). */
  wakeGapMs?: number;
  /** How often leases of workers whose process is gone are looked for (and at the first tick). */
  reclaimEveryMs?: number;
  /** Whether a lease holder is surely gone (default: its process on this machine has exited). */
  isGoneWorker?: (workerId: string) => boolean;
  /** Waits for the pacing (tests pass one that advances a test clock). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export type { OutboxStats };

export interface OutboxWorker {
  /** Claim what is due now, deliver it, and resolve with how many rows were delivered. */
  tick(): Promise<number>;
  /**
   * Claim and start lanes every `pollMs` until `stop()`, and as soon as this process commits
   * messages or a lane finishes; a poll never waits for a lane.
   */
  start(pollMs?: number): void;
  /** Stop polling; resolves when the lanes running have finished. */
  stop(): Promise<void>;
  /** Deliver what is due, then resolve (graceful shutdown); gives up after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  stats(): OutboxStats;
}

/** Claims that commits and finished lanes ask for start at most this often. */
export const WAKE_GAP_MS = 5;
/** The least a drain waits between two tries that sent nothing. */
const DRAIN_STEP_MS = 10;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createOutboxWorker(opts: OutboxWorkerOptions): OutboxWorker {
  const {
    store,
    clock,
    log,
    workerId,
    leaseMs = 60_000,
    maxAttempts = 8,
    batchSize = 50,
    maxLanes = 64,
    backoffMs = 1000,
    maxBackoffMs = 5 * 60_000,
    reclaimEveryMs = 5000,
    wakeGapMs = WAKE_GAP_MS,
    isGoneWorker: isGone = isGoneWorker,
    sleep = realSleep,
    random = Math.random,
  } = opts;
  const byKind = new Map<string, DeliveryChannel>();
  for (const channel of opts.channels)
    for (const kind of channel.kinds) {
      if (byKind.has(kind)) throw new Error(`Two delivery channels take "${kind}" rows`);
      byKind.set(kind, channel);
    }
  const shortestInterval = Math.min(...opts.channels.map((c) => c.intervalMs));
  const maxPacingWaitMs = opts.maxPacingWaitMs ?? Math.min(shortestInterval, 250);
  /** When each lane may deliver next, and its channel's interval. */
  const nextSlot = new Map<string, number>();
  const laneInterval = new Map<string, number>();
  /** Lanes running, by key. */
  const lanes = new Map<string, Promise<number>>();
  const stats = emptyStats();
  const { settle, releaseAll, write } = createSettler({
    store,
    clock,
    log,
    workerId,
    stats,
    maxAttempts,
    backoffMs,
    maxBackoffMs,
    random,
  });
  // This worker counts as alive for as long as its process lives.
  registerLiveWorker(workerId);
  /** Registered with the database's liveness (PostgreSQL) before the first claim. */
  let registered: Promise<void> | null = null;
  let claiming: Promise<unknown> = Promise.resolve();
  let lastReclaim = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | null = null;
  let polling = false;
  /** A claim a commit or a finished lane asked for, not yet started; when the last one started. */
  let wakeTimer: NodeJS.Timeout | null = null;
  let lastWake = Number.NEGATIVE_INFINITY;
  let unsubscribe: (() => void) | null = null;
  const unknownKinds = new Set<string>();

  /** One lane: its rows in order, paced; a rate limit holds the rest of it. */
  async function sendLane(lane: string, rows: OutboxRow[], leaseEnd: number): Promise<number> {
    let sent = 0;
    for (const [i, row] of rows.entries()) {
      const channel = byKind.get(row.delivery.kind)!;
      laneInterval.set(lane, channel.intervalMs);
      const slot = nextSlot.get(lane) ?? 0;
      const now = clock();
      // Past the lease (a slow delivery) another worker may own these rows now: leave them to it.
      if (now >= leaseEnd) break;
      // Never deliver on a lease that may run out mid-delivery: another worker could claim the row.
      if (Math.max(slot, now) + channel.deliveryTimeoutMs >= leaseEnd) {
        await releaseAll([{ row, until: Math.max(slot, now) }], 'channel pacing');
        continue;
      }
      if (slot - now > maxPacingWaitMs) {
        // Behind on this lane: the rest are due one interval apart, in order, from its slot.
        const backlog = rows.slice(i).map((rest, k) => ({ row: rest, until: slot + k * channel.intervalMs }));
        await releaseAll(backlog, 'channel pacing');
        break;
      }
      if (slot > now) await sleep(slot - now);
      const ready = clock();
      // Past the lease another worker may own the row now: leave it entirely to them.
      if (ready >= leaseEnd) continue;
      if (ready + channel.deliveryTimeoutMs >= leaseEnd) {
        await releaseAll([{ row, until: ready }], 'lease too short to send');
        continue;
      }
      const outcome = await channel.deliver(row);
      if (PACED.has(outcome.kind)) nextSlot.set(lane, clock() + channel.intervalMs);
      const { sent: marked, limitedUntil } = await settle(row, channel, outcome);
      if (marked) sent++;
      if (limitedUntil !== null) {
        nextSlot.set(lane, limitedUntil);
        await releaseAll(
          rows.slice(i + 1).map((rest) => ({ row: rest, until: limitedUntil })),
          'the channel is rate limited',
        );
        break;
      }
    }
    return sent;
  }

  /** A lane never rejects: what it could not settle stays leased and goes again after the lease. */
  async function runLane(lane: string, rows: OutboxRow[], leaseEnd: number): Promise<number> {
    try {
      return await sendLane(lane, rows, leaseEnd);
    } catch (err) {
      log.error('outbox: sending to a channel failed', {
        channel: lane,
        error: err instanceof Error ? err.message : String(err),
      });
      return 0;
    } finally {
      lanes.delete(lane);
      // Rows of this destination claimed meanwhile were left out while it ran: claim them now.
      wake();
    }
  }

  /**
   * Claim now rather than at the next poll: messages were just committed, or a lane finished.
   * One such claim waits at a time, at most one every `wakeGapMs`, so a busy process batches
   * its commits into few claims.
   */
  function wake() {
    if (!polling || wakeTimer) return;
    const delay = Math.max(0, lastWake + wakeGapMs - performance.now());
    wakeTimer = setTimeout(() => {
      wakeTimer = null;
      lastWake = performance.now();
      void claimAndStart().catch((err) =>
        log.error('outbox: claiming failed', { error: err instanceof Error ? err.message : String(err) }),
      );
    }, delay);
  }

  /** Leases of workers whose process is gone end now: a restart delivers their rows at once. */
  async function reclaimGone(now: number) {
    if (now - lastReclaim < reclaimEveryMs) return;
    lastReclaim = now;
    const holders = (await store.read.outbox.leaseHolders(now)).filter((w) => w !== workerId);
    // Gone from this machine, or (a server database) gone from any machine.
    const goneAnywhere = new Set(store.liveness ? await store.liveness.gone(holders) : []);
    const gone = holders.filter((w) => isGone(w) || goneAnywhere.has(w));
    if (gone.length === 0) return;
    const rows = await write((o) => o.releaseLeases(gone, now));
    stats.reclaimed += rows;
    if (rows > 0) log.info('outbox: took over the rows of stopped senders', { workers: gone, rows });
  }

  /** The claimed rows by lane, asking each row's channel; rows no channel takes are set apart. */
  async function byLane(rows: OutboxRow[]) {
    const perChannel = new Map<DeliveryChannel, OutboxRow[]>();
    const orphans: OutboxRow[] = [];
    for (const row of rows) {
      const channel = byKind.get(row.delivery.kind);
      if (channel) perChannel.set(channel, [...(perChannel.get(channel) ?? []), row]);
      else orphans.push(row);
    }
    const keyOf = new Map<number, string>();
    for (const [channel, list] of perChannel) {
      const keys = await channel.lanesOf(list);
      list.forEach((row, i) => keyOf.set(row.id, keys[i]!));
    }
    const grouped = new Map<string, OutboxRow[]>();
    // In claim order (oldest first) within each lane, whichever channel a row is for.
    for (const row of rows) {
      const key = keyOf.get(row.id);
      if (key !== undefined) grouped.set(key, [...(grouped.get(key) ?? []), row]);
    }
    return { grouped, orphans };
  }

  /**
   * Claim what is due for lanes not running, and start them. One claim at a time, so two claims
   * never start two lanes for one destination.
   */
  function claimAndStart(): Promise<Promise<number>[]> {
    const claim = async (): Promise<Promise<number>[]> => {
      stats.ticks++;
      registered ??= (store.liveness?.register(workerId) ?? Promise.resolve()).catch((err) => {
        registered = null;
        throw err;
      });
      await registered;
      const now = clock();
      await reclaimGone(now);
      if (lanes.size >= maxLanes) return [];
      // Lanes delivering now, or that this worker must wait on longer than a poll: unclaimed.
      // The latter's due rows move to their turns, out of what the claim reads.
      const skip = new Set(lanes.keys());
      const behind: [lane: string, slot: number][] = [];
      for (const [lane, slot] of nextSlot)
        if (slot - now > maxPacingWaitMs) {
          skip.add(lane);
          if (!lanes.has(lane)) behind.push([lane, slot]);
        }
      const rows = await store.transaction(async (repos) => {
        for (const [lane, slot] of behind)
          await repos.outbox.park(lane, slot, laneInterval.get(lane) ?? shortestInterval, now);
        return repos.outbox.claimDue(now, batchSize, workerId, leaseMs, [...skip]);
      });
      if (rows.length === 0) return [];
      const leaseEnd = now + leaseMs;
      const { grouped, orphans } = await byLane(rows);
      const started: Promise<number>[] = [];
      const busy: { row: OutboxRow; until: number }[] = [];
      for (const [lane, list] of grouped) {
        // A row whose stored destination differs from its lane (its run moved): the lane runs.
        if (lanes.has(lane)) {
          busy.push(...list.map((row) => ({ row, until: now })));
          continue;
        }
        const running = runLane(lane, list, leaseEnd);
        lanes.set(lane, running);
        started.push(running);
      }
      await releaseAll(busy, 'its channel is sending');
      await leaveOrphans(orphans, now);
      return started;
    };
    const result = claiming.then(claim, claim);
    claiming = result.catch(() => undefined);
    return result;
  }

  /** Rows of a kind no channel here takes (a newer process may): handed back for a lease. */
  async function leaveOrphans(rows: OutboxRow[], now: number) {
    for (const row of rows)
      if (!unknownKinds.has(row.delivery.kind)) {
        unknownKinds.add(row.delivery.kind);
        log.warn('outbox: no delivery channel takes these rows; left for another process', {
          kind: row.delivery.kind,
        });
      }
    await releaseAll(
      rows.map((row) => ({ row, until: now + leaseMs })),
      'no delivery channel for it',
    );
  }

  async function tick(): Promise<number> {
    const counts = await Promise.all(await claimAndStart());
    return counts.reduce((a, b) => a + b, 0);
  }

  async function poll(pollMs: number) {
    if (!polling) return;
    try {
      // Lanes run on their own: the next poll does not wait for a slow lane.
      await claimAndStart();
    } catch (err) {
      log.error('outbox: claiming failed', { error: err instanceof Error ? err.message : String(err) });
    }
    if (polling) timer = setTimeout(() => void poll(pollMs), pollMs);
  }

  const settledCount = () => stats.sent + stats.failed + stats.coalesced + stats.held;

  return {
    tick,
    start(pollMs = 250) {
      if (polling) return;
      polling = true;
      unsubscribe = store.onOutboxWrite(wake);
      void poll(pollMs);
    },
    async stop() {
      polling = false;
      unsubscribe?.();
      unsubscribe = null;
      if (timer) clearTimeout(timer);
      timer = null;
      if (wakeTimer) clearTimeout(wakeTimer);
      wakeTimer = null;
      await claiming;
      await Promise.all(lanes.values());
    },
    async drain(timeoutMs: number) {
      const deadline = clock() + timeoutMs;
      while (clock() < deadline) {
        const before = settledCount();
        await tick();
        if (settledCount() > before) continue;
        // Nothing went out: done when nothing is owed; otherwise wait for the next slot (at
        // least DRAIN_STEP_MS: a channel that does not pace would make this loop spin).
        if ((await store.read.outbox.pendingCount()) === 0) return;
        await sleep(Math.max(DRAIN_STEP_MS, Math.min(shortestInterval, deadline - clock())));
      }
    },
    stats: () => ({ ...stats, lastFailures: [...stats.lastFailures] }),
  };
}

/** Outcomes after which the lane waits its interval: the destination was called. */
const PACED: ReadonlySet<DeliveryOutcome['kind']> = new Set([
  'sent',
  'retry',
  'rate_limited',
  'failed',
  'held',
]);
