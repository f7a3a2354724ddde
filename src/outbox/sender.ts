// The outbox sender: delivers what the services wrote to the outbox, in the same transaction
// as each state change, to Slack. At least once, in order per run thread, paced per channel.
//
// - Claims due rows with the repository's lease, so two bot processes never send one row.
// - `root` posts the run's root message and records it (its ts becomes the run's thread);
//   `thread` waits until the root exists and every earlier message of the run went out;
//   `root_update` edits the root from the run's current state, and is skipped when a newer one
//   is pending (coalesced); `dm` posts to the user ID, and a run's DM waits like a thread reply
//   (it links to the thread, so the root and the run's earlier messages go first); `channel`
//   posts to the channel.
// - About one message per channel per `channelIntervalMs`; a 429 waits its Retry-After; 5xx,
//   network errors and timeouts back off exponentially with jitter up to `maxAttempts`;
//   permanent errors mark the row failed, append a `delivery_failed` event and log a warning.
// - A row's `attempts` counts real attempts only: each failed send, and the one that sent it,
//   dropped it (coalesced) or gave it up. Handing a row back unsent (`handBack`: waiting for an
//   earlier message of its run, the channel's pace, a 429's Retry-After, a lease too short to
//   send on) is not an attempt, so a pending row's `attempts` is how many times it failed, and
//   that is what `maxAttempts` bounds.
// - What happened to a row is recorded only while this sender still holds it. When a slow call
//   outlasted the lease and another sender claimed the row since, the row is theirs: this
//   sender's outcome is logged (`superseded` in the stats) and not written.
import type { WebClient } from '@slack/web-api';
import type { Playbook } from '../../routing/playbooks/schema.ts';
import type { Run } from '../domain/types.ts';
import type { Logger } from '../logger.ts';
import type { OutboxRow } from '../persistence/repositories.ts';
import type { Repositories, Store } from '../persistence/store.ts';
import { renderNotice, type SlackMessage } from '../slack/render.ts';
import { type CallFailure, classifySlackError } from './slack-errors.ts';

export interface OutboxSenderOptions {
  store: Store;
  /** Create it with `createSlackClient` (no client-side retries, 429s rejected at once). */
  client: WebClient;
  playbooks: readonly Playbook[];
  clock: () => number;
  log: Logger;
  /** Names this process in the lease (`claimed_by`). */
  workerId: string;
  /** Slack allows about one message a second per channel. */
  channelIntervalMs?: number;
  /** How long a claim holds a row; a crashed sender's rows are claimable again after it. */
  leaseMs?: number;
  /** Failures of one row (5xx, network, timeouts) before it is given up. */
  maxAttempts?: number;
  /** Upper bound of one Web API call. */
  requestTimeoutMs?: number;
  /** Rows claimed per tick. */
  batchSize?: number;
  /** First backoff delay; doubles per failure, up to `maxBackoffMs`, with ±25% jitter. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * The longest a tick waits for a channel's next slot. A channel further behind hands its rows
   * back, due at its pace, so a busy channel never holds up the others' messages.
   */
  maxPacingWaitMs?: number;
  /** The workspace URL (auth.test's `url`): a run's DMs link to its thread with it. */
  permalinkBase?: () => Promise<string>;
  /** Waits for the pacing (tests pass one that advances a test clock). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface OutboxStats {
  sent: number;
  failed: number;
  retried: number;
  rateLimited: number;
  coalesced: number;
  waited: number;
  /** Outcomes not recorded: the lease had run out and another sender claimed the row since. */
  superseded: number;
  ticks: number;
  /** The last permanent failures, newest last (at most 20). */
  lastFailures: { id: number; runId: string | null; notice: string; error: string; at: number }[];
}

export interface OutboxSender {
  /** Claim and send what is due now. Resolves with how many messages were sent. */
  tick(): Promise<number>;
  /** Tick every `pollMs` until `stop()`. */
  start(pollMs?: number): void;
  /** Stop polling; resolves when the current tick has finished. */
  stop(): Promise<void>;
  /** Send what is due, then resolve (graceful shutdown); gives up after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  stats(): OutboxStats;
}

type Outcome =
  /**
   * `marked`: the transaction that recorded the root message marked the row sent (true) or found
   * it another sender's (false); absent when the row is still to be marked.
   */
  | { kind: 'sent'; ts: string | null; marked?: boolean }
  | { kind: 'coalesced' }
  | { kind: 'wait'; until: number; why: string }
  | { kind: 'failed'; failure: CallFailure }
  /** Nowhere to deliver (a run started without a channel, e.g. from the CLI): no report. */
  | { kind: 'undeliverable'; error: string };

interface PostResult {
  ts?: string;
  channel?: string;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createOutboxSender(opts: OutboxSenderOptions): OutboxSender {
  const {
    store,
    client,
    clock,
    log,
    workerId,
    channelIntervalMs = 1000,
    leaseMs = 60_000,
    maxAttempts = 8,
    requestTimeoutMs = 15_000,
    batchSize = 50,
    backoffMs = 1000,
    maxBackoffMs = 5 * 60_000,
    sleep = realSleep,
    random = Math.random,
  } = opts;
  const maxPacingWaitMs = opts.maxPacingWaitMs ?? Math.min(channelIntervalMs, 250);
  const playbooks = new Map(opts.playbooks.map((p) => [p.id, p]));
  /** When each channel may take its next message. */
  const nextSlot = new Map<string, number>();
  const stats: OutboxStats = {
    sent: 0,
    failed: 0,
    retried: 0,
    rateLimited: 0,
    coalesced: 0,
    waited: 0,
    superseded: 0,
    ticks: 0,
    lastFailures: [],
  };
  let running: Promise<number> = Promise.resolve(0);
  let timer: NodeJS.Timeout | null = null;
  let polling = false;

  const render = (row: OutboxRow, run: Run | null, permalinkBase?: string): SlackMessage =>
    renderNotice(row.notice, {
      run,
      playbook: run ? playbooks.get(run.chain) : null,
      now: clock(),
      delivery: row.delivery,
      permalinkBase,
    });

  /** A call that gives up after `requestTimeoutMs` (the client's own timeout should come first). */
  async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    let timeout: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timeout = setTimeout(
        () => reject(new Error(`${method} timed out after ${requestTimeoutMs} ms`)),
        requestTimeoutMs,
      );
    });
    try {
      return await Promise.race([fn(), expired]);
    } finally {
      clearTimeout(timeout);
    }
  }

  /**
   * Post or update with blocks; when Slack refuses the content itself (invalid_blocks,
   * msg_too_long), once more with the fallback text alone before giving up.
   */
  async function send(
    method: 'chat.postMessage' | 'chat.update',
    args: Record<string, unknown>,
    message: SlackMessage,
  ): Promise<PostResult> {
    const attempt = (withBlocks: boolean) => {
      // An update without blocks keeps the old ones: clear them; a post simply has none.
      const blocks = withBlocks ? message.blocks : method === 'chat.update' ? [] : undefined;
      const body = { ...args, text: message.text, ...(blocks ? { blocks } : {}) };
      return call(method, async () =>
        method === 'chat.postMessage'
          ? ((await client.chat.postMessage(
              body as Parameters<WebClient['chat']['postMessage']>[0],
            )) as PostResult)
          : ((await client.chat.update(body as Parameters<WebClient['chat']['update']>[0])) as PostResult),
      );
    };
    try {
      return await attempt(true);
    } catch (err) {
      const failure = classifySlackError(err);
      if (failure.kind !== 'rejected_content') throw err;
      log.warn('outbox: Slack refused the blocks; sending the text alone', { error: failure.error });
      return attempt(false);
    }
  }

  const post = (args: Record<string, unknown>, message: SlackMessage) =>
    send('chat.postMessage', { unfurl_links: false, unfurl_media: false, ...args }, message);

  async function deliver(row: OutboxRow): Promise<Outcome> {
    const now = clock();
    const run = row.runId ? await store.read.runs.get(row.runId) : null;
    const d = row.delivery;
    if (row.runId && !run && d.kind !== 'dm' && d.kind !== 'channel') {
      return { kind: 'failed', failure: { kind: 'permanent', error: 'run_not_found' } };
    }
    try {
      switch (d.kind) {
        case 'root': {
          const r = run!;
          if (r.rootTs) return { kind: 'sent', ts: r.rootTs };
          if (!r.channelId) return { kind: 'undeliverable', error: 'no_channel' };
          // A mention's thread holds the run: the root message is the bot's first reply there.
          const inThread = r.source === 'mention' && r.threadTs ? r.threadTs : null;
          const res = await post(
            { channel: r.channelId, ...(inThread ? { thread_ts: inThread } : {}) },
            render(row, r),
          );
          if (!res.ts) return { kind: 'failed', failure: { kind: 'transient', error: 'no_ts_in_response' } };
          const marked = await store.transaction(async (repos) => {
            const own = await repos.outbox.markSent(row.id, workerId, res.ts!, clock());
            // The row's holder records its root. A sender that lost the row records the message it
            // posted only while the run has none, so whoever sends the row next finds it there.
            if (own || !(await repos.runs.get(r.id))?.rootTs)
              await repos.runs.setRootMessage(
                r.id,
                res.channel ?? r.channelId!,
                res.ts!,
                inThread ?? res.ts!,
              );
            return own;
          });
          return { kind: 'sent', ts: res.ts, marked };
        }
        case 'thread': {
          const r = run!;
          if (!r.channelId) return { kind: 'undeliverable', error: 'no_channel' };
          if (await store.read.outbox.hasEarlierPending(r.id, row.id)) {
            return {
              kind: 'wait',
              until: now + channelIntervalMs,
              why: 'an earlier message of the run is pending',
            };
          }
          if (!r.rootTs || !r.threadTs) {
            return { kind: 'failed', failure: { kind: 'permanent', error: 'root_message_not_posted' } };
          }
          const res = await post({ channel: r.channelId, thread_ts: r.threadTs }, render(row, r));
          return { kind: 'sent', ts: res.ts ?? null };
        }
        case 'root_update': {
          const r = run!;
          if (!r.channelId) return { kind: 'undeliverable', error: 'no_channel' };
          if (await store.read.outbox.hasNewerRootUpdate(r.id, row.id)) return { kind: 'coalesced' };
          if (!r.rootTs) {
            if (await store.read.outbox.hasEarlierPending(r.id, row.id)) {
              return {
                kind: 'wait',
                until: now + channelIntervalMs,
                why: 'the root message is not posted yet',
              };
            }
            return { kind: 'failed', failure: { kind: 'permanent', error: 'root_message_not_posted' } };
          }
          const res = await send('chat.update', { channel: r.channelId, ts: r.rootTs }, render(row, r));
          return { kind: 'sent', ts: res.ts ?? r.rootTs };
        }
        case 'dm': {
          // A run's DM links to its thread: it waits, as a reply does, for what goes there first.
          if (row.runId && (await store.read.outbox.hasEarlierPending(row.runId, row.id))) {
            return { kind: 'wait', until: now + channelIntervalMs, why: 'the run thread is not posted yet' };
          }
          const posted = row.runId ? await store.read.runs.get(row.runId) : run;
          const res = await post({ channel: d.userId }, render(row, posted, await opts.permalinkBase?.()));
          return { kind: 'sent', ts: res.ts ?? null };
        }
        case 'channel': {
          const res = await post({ channel: d.channelId }, render(row, run));
          return { kind: 'sent', ts: res.ts ?? null };
        }
      }
    } catch (err) {
      return { kind: 'failed', failure: classifySlackError(err) };
    }
  }

  function backoff(failures: number): number {
    const base = Math.min(maxBackoffMs, backoffMs * 2 ** Math.max(0, failures - 1));
    return Math.round(base * (0.75 + random() * 0.5));
  }

  /** The lease ran out and another sender claimed the row since: it is theirs, `outcome` is dropped. */
  function superseded(row: OutboxRow, outcome: string) {
    stats.superseded++;
    log.warn('outbox: lease lost, another sender holds the row; outcome not recorded', {
      id: row.id,
      runId: row.runId,
      worker: workerId,
      outcome,
    });
  }

  async function giveUp(row: OutboxRow, error: string) {
    const now = clock();
    const stepKey =
      typeof (row.notice as { stepKey?: unknown }).stepKey === 'string'
        ? (row.notice as { stepKey: string }).stepKey
        : null;
    const own = await store.transaction(async (repos) => {
      if (!(await repos.outbox.markFailed(row.id, workerId, error, now))) return false;
      await repos.events.append([
        {
          runId: row.runId,
          at: now,
          actor: 'system',
          type: 'delivery_failed',
          stepKey,
          data: {
            outboxId: row.id,
            delivery: row.delivery.kind,
            notice: row.notice.type,
            error,
            attempts: row.attempts + 1,
          },
        },
      ]);
      return true;
    });
    if (!own) {
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
    });
  }

  /** Every write in a transaction of its own: never inside another caller's open one. */
  const write = <T>(fn: (outbox: Repositories['outbox']) => Promise<T>) =>
    store.transaction((repos) => fn(repos.outbox));

  /**
   * Record what happened to one row. Returns whether it was marked sent, and until when the
   * channel is rate limited, if it is.
   */
  async function settle(
    row: OutboxRow,
    outcome: Outcome,
  ): Promise<{ sent: boolean; limitedUntil: number | null }> {
    const now = clock();
    const done = { sent: false, limitedUntil: null };
    switch (outcome.kind) {
      case 'sent': {
        const own = outcome.marked ?? (await write((o) => o.markSent(row.id, workerId, outcome.ts, now)));
        if (!own) {
          superseded(row, 'sent');
          return done;
        }
        stats.sent++;
        return { sent: true, limitedUntil: null };
      }
      case 'coalesced':
        if (await write((o) => o.markSent(row.id, workerId, null, now))) stats.coalesced++;
        else superseded(row, 'coalesced');
        return done;
      case 'wait':
        await release(row, outcome.until, outcome.why);
        return done;
      case 'undeliverable':
        if (!(await write((o) => o.markFailed(row.id, workerId, outcome.error, now)))) {
          superseded(row, `failed: ${outcome.error}`);
          return done;
        }
        log.debug('outbox: nowhere to deliver', { id: row.id, runId: row.runId, error: outcome.error });
        return done;
      case 'failed': {
        const f = outcome.failure;
        if (f.kind === 'rate_limited') {
          // Not the row's failure: it goes again after Retry-After, like the rest of the channel.
          const until = now + f.retryAfterMs;
          if (!(await write((o) => o.handBack(row.id, workerId, until, f.error))))
            superseded(row, `rate limited: ${f.error}`);
          stats.rateLimited++;
          log.info('outbox: rate limited', { id: row.id, retryAfterMs: f.retryAfterMs });
          return { sent: false, limitedUntil: until };
        }
        if (f.kind === 'transient') {
          const failures = row.attempts + 1;
          if (failures >= maxAttempts) {
            await giveUp(row, `${f.error} (gave up after ${failures} failures)`);
            return done;
          }
          if (!(await write((o) => o.retryLater(row.id, workerId, now + backoff(failures), f.error)))) {
            superseded(row, `retry: ${f.error}`);
            return done;
          }
          stats.retried++;
          log.info('outbox: will retry', { id: row.id, error: f.error, failures });
          return done;
        }
        await giveUp(row, f.error);
        return done;
      }
    }
  }

  /** Hand a claimed row back unsent, due at `until`; not one of its attempts. */
  async function release(row: OutboxRow, until: number, why: string) {
    await releaseAll([{ row, until }], why);
  }

  /** Hand several claimed rows back in one transaction (a backlog can be long). */
  async function releaseAll(items: { row: OutboxRow; until: number }[], why: string) {
    const lost = await write(async (o) => {
      const rows: OutboxRow[] = [];
      for (const { row, until } of items)
        if (!(await o.handBack(row.id, workerId, until, `waiting: ${why}`))) rows.push(row);
      return rows;
    });
    stats.waited += items.length - lost.length;
    for (const row of lost) superseded(row, `waiting: ${why}`);
  }

  /** Send one channel's rows in order, paced; a rate limit holds the rest of the channel. */
  async function sendChannel(channel: string, rows: OutboxRow[], leaseEnd: number): Promise<number> {
    let sent = 0;
    for (const [i, row] of rows.entries()) {
      const slot = nextSlot.get(channel) ?? 0;
      const now = clock();
      // Past the lease (a slow call) another sender may own these rows now: leave them to it.
      if (now >= leaseEnd) break;
      // Never send on a lease that may run out mid-call: another sender could claim the row.
      if (Math.max(slot, now) + requestTimeoutMs >= leaseEnd) {
        await release(row, Math.max(slot, now), 'channel pacing');
        continue;
      }
      if (slot - now > maxPacingWaitMs) {
        // Behind on this channel: the rest are due one interval apart, in order, from its slot.
        const backlog = rows.slice(i).map((rest, k) => ({ row: rest, until: slot + k * channelIntervalMs }));
        await releaseAll(backlog, 'channel pacing');
        break;
      }
      if (slot > now) await sleep(slot - now);
      const ready = clock();
      // Past the lease another sender may own the row now: leave it entirely to them.
      if (ready >= leaseEnd) continue;
      if (ready + requestTimeoutMs >= leaseEnd) {
        await release(row, ready, 'lease too short to send');
        continue;
      }
      const outcome = await deliver(row);
      if (outcome.kind === 'sent' || outcome.kind === 'failed')
        nextSlot.set(channel, clock() + channelIntervalMs);
      const { sent: marked, limitedUntil } = await settle(row, outcome);
      if (marked) sent++;
      if (limitedUntil !== null) {
        nextSlot.set(channel, limitedUntil);
        await releaseAll(
          rows.slice(i + 1).map((rest) => ({ row: rest, until: limitedUntil })),
          'the channel is rate limited',
        );
        break;
      }
    }
    return sent;
  }

  async function destinationOf(row: OutboxRow, runs: Map<string, Run | null>): Promise<string> {
    const d = row.delivery;
    if (d.kind === 'dm') return d.userId;
    if (d.kind === 'channel') return d.channelId;
    if (!row.runId) return 'none';
    if (!runs.has(row.runId)) runs.set(row.runId, await store.read.runs.get(row.runId));
    return runs.get(row.runId)?.channelId ?? `run:${row.runId}`;
  }

  async function tickOnce(): Promise<number> {
    stats.ticks++;
    const now = clock();
    // Channels this sender must wait on longer than a tick would: their rows stay unclaimed.
    const paced = [...nextSlot]
      .filter(([, slot]) => slot - now > maxPacingWaitMs)
      .map(([channel]) => channel);
    const rows = await store.transaction((repos) =>
      repos.outbox.claimDue(now, batchSize, workerId, leaseMs, paced),
    );
    if (rows.length === 0) return 0;
    const leaseEnd = now + leaseMs;
    const runs = new Map<string, Run | null>();
    const byChannel = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const channel = await destinationOf(row, runs);
      byChannel.set(channel, [...(byChannel.get(channel) ?? []), row]);
    }
    const counts = await Promise.all(
      [...byChannel].map(([channel, list]) => sendChannel(channel, list, leaseEnd)),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  function tick(): Promise<number> {
    const next = running.then(tickOnce, tickOnce);
    running = next.catch(() => 0);
    return next;
  }

  async function poll(pollMs: number) {
    if (!polling) return;
    try {
      await tick();
    } catch (err) {
      log.error('outbox: tick failed', { error: err instanceof Error ? err.message : String(err) });
    }
    if (polling) timer = setTimeout(() => void poll(pollMs), pollMs);
  }

  return {
    tick,
    start(pollMs = 250) {
      if (polling) return;
      polling = true;
      void poll(pollMs);
    },
    async stop() {
      polling = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
    async drain(timeoutMs: number) {
      const deadline = clock() + timeoutMs;
      while (clock() < deadline) {
        const before = stats.sent + stats.failed + stats.coalesced;
        await tick();
        if (stats.sent + stats.failed + stats.coalesced > before) continue;
        // Nothing went out: done when nothing is owed; otherwise wait for the next slot.
        if ((await store.read.outbox.pendingCount()) === 0) return;
        await sleep(Math.max(1, Math.min(channelIntervalMs, deadline - clock())));
      }
    },
    stats: () => ({ ...stats, lastFailures: [...stats.lastFailures] }),
  };
}
