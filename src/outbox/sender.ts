// The outbox sender: delivers what the services wrote to the outbox, in the same transaction
// as each state change, to Slack. At least once, in order per run thread, paced per channel,
// and one channel never holds up another.
//
// - Claims due rows with the repository's lease, so two bot processes never send one row.
// - Each destination (a channel, or a user for DMs) is a lane of its own: a lane sends its rows
//   in order, paced, while the next polls claim and start the other destinations' rows. A hung
//   call holds its own lane only; its channel is left out of claims until the lane is done.
// - `root` posts the run's root message and records it (its ts becomes the run's thread);
//   `thread` waits until the root exists and every earlier message of the run went out;
//   `root_update` edits the root from the run's current state, and is skipped when a newer one
//   is pending (coalesced); `dm` posts to the user ID, and a run's DM waits like a thread reply
//   (it links to the thread, so the root and the run's earlier messages go first); `channel`
//   posts to the channel.
// - About one message per channel per `channelIntervalMs`; a 429 waits its Retry-After; 5xx,
//   network errors and timeouts back off exponentially with jitter up to `maxAttempts`.
// - No duplicate when Slack took a post but its answer was lost: each post carries its row in
//   message metadata (lookup.ts), the row is marked `maybeSent` before the call, and a row so
//   marked is looked for in the thread or channel before it is posted again; a found message
//   is adopted.
// - Slack refusing for want of the bot in the channel (`not_in_channel`, `channel_not_found`)
//   holds the run's messages there (the requester is told how to invite the bot) until the bot
//   joins (`releaseHeld`); any other permanent refusal fails the row for good, with a
//   `delivery_failed` event, and a person is told by DM: the requester, and the owners of a
//   step whose handoff it was. Neither is retried in a loop.
// - A row's `attempts` counts real attempts only: each failed send, and the one that sent it,
//   dropped it (coalesced), held it or gave it up. Handing a row back unsent (`handBack`:
//   waiting for an earlier message of its run, the channel's pace, a 429's Retry-After, a lease
//   too short to send on) is not an attempt, so a pending row's `attempts` is how many times it
//   failed, and that is what `maxAttempts` bounds.
// - What happened to a row is recorded only while this sender still holds it. When a slow call
//   outlasted the lease and another sender claimed the row since, the row is theirs: this
//   sender's outcome is logged (`superseded` in the stats) and not written.
// - A sender killed mid-call leaves leases behind: another sender on the same machine finds its
//   process gone (worker-identity.ts) and takes its rows at once, not after the lease.
import type { MessageMetadata } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Playbook } from '../../routing/playbooks/schema.ts';
import type { DeliveryProblemNotice } from '../domain/notices.ts';
import type { Run, RunEvent } from '../domain/types.ts';
import type { Logger } from '../logger.ts';
import { NO_CHANNEL, type OutboxRow, type Repositories, type Store } from '../persistence/ports.ts';
import { NOT_IN_CHANNEL_ERRORS } from '../slack/blocks/delivery.ts';
import { renderNotice, type SlackMessage } from '../slack/render.ts';
import { findMarkedMessage, type LookupPlace, markMetadata, type OutboxMark } from './lookup.ts';
import { type CallFailure, classifySlackError, isDefiniteSlackRefusal } from './slack-errors.ts';
import { isGoneWorker, registerLiveWorker } from './worker-identity.ts';

export interface OutboxSenderOptions {
  store: Store;
  /** Create it with `createSlackClient` (no client-side retries, 429s rejected at once). */
  client: WebClient;
  playbooks: readonly Playbook[];
  clock: () => number;
  log: Logger;
  /** Names this process in the lease (`claimed_by`); `newWorkerId()` lets others see it die. */
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
  /** Destinations sending at once, at most (each is one call in flight). */
  maxLanes?: number;
  /** First backoff delay; doubles per failure, up to `maxBackoffMs`, with ±25% jitter. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * The longest a lane waits for its channel's next slot. A channel further behind hands its
   * rows back, due at its pace.
   */
  maxPacingWaitMs?: number;
  /** The workspace URL (auth.test's `url`): a run's DMs link to its thread with it. */
  permalinkBase?: () => Promise<string>;
  /** How often leases of senders whose process is gone are looked for (and at the first tick). */
  reclaimEveryMs?: number;
  /** Whether a lease holder is surely gone (default: its process on this machine has exited). */
  isGoneWorker?: (workerId: string) => boolean;
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
  /** Held until the bot is in the channel. */
  held: number;
  /** Found already posted (its answer had been lost), and not posted again. */
  adopted: number;
  /** Rows taken over from senders whose process is gone. */
  reclaimed: number;
  /** Outcomes not recorded: the lease had run out and another sender claimed the row since. */
  superseded: number;
  ticks: number;
  /** The last permanent failures, newest last (at most 20). */
  lastFailures: { id: number; runId: string | null; notice: string; error: string; at: number }[];
}

export interface OutboxSender {
  /** Claim what is due now, send it, and resolve with how many messages were sent. */
  tick(): Promise<number>;
  /** Claim and start lanes every `pollMs` until `stop()`; a poll never waits for a lane. */
  start(pollMs?: number): void;
  /** Stop polling; resolves when the lanes running have finished. */
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
  | { kind: 'sent'; ts: string | null; marked?: boolean; adopted?: boolean }
  | { kind: 'coalesced' }
  | { kind: 'wait'; until: number; why: string }
  | { kind: 'failed'; failure: CallFailure }
  /** The bot is not in the channel: held until it is; `tell`: this row is the first held. */
  | { kind: 'held'; error: string; tell: boolean }
  /** Nowhere to deliver (a run started without a channel, e.g. from the CLI): no report. */
  | { kind: 'undeliverable'; error: string }
  /** Another sender holds the row now (found before posting): nothing sent, nothing to write. */
  | { kind: 'lost' };

interface PostResult {
  ts?: string;
  channel?: string;
}

/** Slack takes a slash command's response_url for 30 minutes. */
export const RESPONSE_URL_TTL_MS = 30 * 60_000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The notice's step, when it has one. */
function stepOf(row: OutboxRow): { stepKey: string | null; stepTitle: string | null } {
  const n = row.notice as { stepKey?: unknown; stepTitle?: unknown };
  return {
    stepKey: typeof n.stepKey === 'string' ? n.stepKey : null,
    stepTitle: typeof n.stepTitle === 'string' ? n.stepTitle : null,
  };
}

const isUser = (principal: string) => /^[UW][A-Z0-9]+$/.test(principal);

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
    maxLanes = 64,
    backoffMs = 1000,
    maxBackoffMs = 5 * 60_000,
    reclaimEveryMs = 5000,
    isGoneWorker: isGone = isGoneWorker,
    sleep = realSleep,
    random = Math.random,
  } = opts;
  const maxPacingWaitMs = opts.maxPacingWaitMs ?? Math.min(channelIntervalMs, 250);
  const playbooks = new Map(opts.playbooks.map((p) => [p.id, p]));
  /** When each channel may take its next message. */
  const nextSlot = new Map<string, number>();
  /** Destinations with a lane running, and the lane. */
  const lanes = new Map<string, Promise<number>>();
  const stats: OutboxStats = {
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
  };
  // This sender counts as alive for as long as its process lives.
  registerLiveWorker(workerId);
  let claiming: Promise<unknown> = Promise.resolve();
  let lastReclaim = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | null = null;
  let polling = false;
  let warnedCannotLook = false;

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

  /**
   * Post the row's message once: when an earlier post may have reached Slack, look for it first
   * and adopt it; otherwise mark the row in flight, then post it marked with its row.
   */
  async function postRow(
    row: OutboxRow,
    place: () => Promise<LookupPlace>,
    args: Record<string, unknown>,
    message: SlackMessage,
  ): Promise<(PostResult & { adopted?: boolean }) | 'lost'> {
    const mark: OutboxMark = { outboxId: row.id, enqueuedAt: row.createdAt, runId: row.runId };
    if (row.maybeSent) {
      const where = await place();
      const ts = await lookUp(row, where, mark);
      if (ts) return { ts, channel: where.channel, adopted: true };
    }
    if (!(await write((o) => o.markInFlight(row.id, workerId)))) return 'lost';
    const own = (message as SlackMessage & { metadata?: MessageMetadata }).metadata;
    return send(
      'chat.postMessage',
      { unfurl_links: false, unfurl_media: false, ...args, metadata: markMetadata(own, mark) },
      message,
    );
  }

  /**
   * The ts of the row's earlier post, if Slack has it. A lookup Slack refuses outright (a missing
   * scope, a thread gone) cannot tell: the row is posted, at least once beating never.
   */
  async function lookUp(row: OutboxRow, place: LookupPlace, mark: OutboxMark): Promise<string | null> {
    try {
      const ts = await call('conversations.history', () => findMarkedMessage(client, place, mark));
      if (ts) {
        log.info('outbox: found the message already posted (its answer was lost); not posting again', {
          id: row.id,
          runId: row.runId,
          ts,
        });
      }
      return ts;
    } catch (err) {
      if (!isDefiniteSlackRefusal(err)) throw err;
      if (!warnedCannotLook) {
        warnedCannotLook = true;
        log.warn(
          'outbox: cannot look for a post whose answer was lost (the app needs channels:history, groups:history and im:history); posting it again',
          { id: row.id, error: classifySlackError(err).error },
        );
      }
      return null;
    }
  }

  /** Where a DM to the user lives (its D… channel), for looking a lost post up. */
  async function dmChannel(userId: string): Promise<LookupPlace> {
    const res = (await call('conversations.open', () => client.conversations.open({ users: userId }))) as {
      channel?: { id?: string };
    };
    return { channel: res.channel?.id ?? userId };
  }

  /** A problem notice on the request's response_url, while Slack takes it; false: use a DM. */
  async function answerOnResponseUrl(notice: DeliveryProblemNotice, message: SlackMessage): Promise<boolean> {
    const url = notice.responseUrl;
    if (!url || !/^https?:\/\//.test(url) || clock() >= (notice.responseUrlUntil ?? 0)) return false;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...message }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      return res.ok;
    } catch (err) {
      log.info('outbox: the response_url did not take the answer; sending it by DM', {
        error: err instanceof Error ? err.message : String(err),
      });
      return false;
    }
  }

  /** Slack refused for want of the bot in the channel: a run's channel message is held. */
  function heldOrFailed(failure: CallFailure): Outcome {
    if (failure.kind === 'permanent' && NOT_IN_CHANNEL_ERRORS.has(failure.error))
      return { kind: 'held', error: failure.error, tell: true };
    return { kind: 'failed', failure };
  }

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
          if (!r.channelId) return { kind: 'undeliverable', error: NO_CHANNEL };
          // A mention's thread holds the run: the root message is the bot's first reply there.
          const inThread = r.source === 'mention' && r.threadTs ? r.threadTs : null;
          const res = await postRow(
            row,
            async () => ({ channel: r.channelId!, threadTs: inThread }),
            { channel: r.channelId, ...(inThread ? { thread_ts: inThread } : {}) },
            render(row, r),
          );
          if (res === 'lost') return { kind: 'lost' };
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
          return { kind: 'sent', ts: res.ts, marked, adopted: res.adopted };
        }
        case 'thread': {
          const r = run!;
          if (!r.channelId) return { kind: 'undeliverable', error: NO_CHANNEL };
          if (await store.read.outbox.hasEarlierPending(r.id, row.id)) {
            return {
              kind: 'wait',
              until: now + channelIntervalMs,
              why: 'an earlier message of the run is pending',
            };
          }
          const held = await store.read.outbox.earlierHeld(r.id, row.id);
          if (held) return { kind: 'held', error: held, tell: false };
          if (!r.rootTs || !r.threadTs) {
            return { kind: 'failed', failure: { kind: 'permanent', error: 'root_message_not_posted' } };
          }
          const res = await postRow(
            row,
            async () => ({ channel: r.channelId!, threadTs: r.threadTs }),
            { channel: r.channelId, thread_ts: r.threadTs },
            render(row, r),
          );
          if (res === 'lost') return { kind: 'lost' };
          return { kind: 'sent', ts: res.ts ?? null, adopted: res.adopted };
        }
        case 'root_update': {
          const r = run!;
          if (!r.channelId) return { kind: 'undeliverable', error: NO_CHANNEL };
          if (await store.read.outbox.hasNewerRootUpdate(r.id, row.id)) return { kind: 'coalesced' };
          if (!r.rootTs) {
            if (await store.read.outbox.hasEarlierPending(r.id, row.id)) {
              return {
                kind: 'wait',
                until: now + channelIntervalMs,
                why: 'the root message is not posted yet',
              };
            }
            // The held root shows the run's current state when it goes out: nothing to update.
            if (await store.read.outbox.earlierHeld(r.id, row.id)) return { kind: 'coalesced' };
            return { kind: 'failed', failure: { kind: 'permanent', error: 'root_message_not_posted' } };
          }
          const held = await store.read.outbox.earlierHeld(r.id, row.id);
          if (held) return { kind: 'held', error: held, tell: false };
          const res = await send('chat.update', { channel: r.channelId, ts: r.rootTs }, render(row, r));
          return { kind: 'sent', ts: res.ts ?? r.rootTs };
        }
        case 'dm': {
          // A run's DM links to its thread: it waits, as a reply does, for what goes there first.
          if (row.runId && (await store.read.outbox.hasEarlierPending(row.runId, row.id))) {
            return { kind: 'wait', until: now + channelIntervalMs, why: 'the run thread is not posted yet' };
          }
          const posted = row.runId ? await store.read.runs.get(row.runId) : run;
          const message = render(row, posted, await opts.permalinkBase?.());
          if (row.notice.type === 'delivery_problem' && (await answerOnResponseUrl(row.notice, message)))
            return { kind: 'sent', ts: null };
          const res = await postRow(row, () => dmChannel(d.userId), { channel: d.userId }, message);
          if (res === 'lost') return { kind: 'lost' };
          return { kind: 'sent', ts: res.ts ?? null, adopted: res.adopted };
        }
        case 'channel': {
          const res = await postRow(
            row,
            async () => ({ channel: d.channelId }),
            { channel: d.channelId },
            render(row, run),
          );
          if (res === 'lost') return { kind: 'lost' };
          return { kind: 'sent', ts: res.ts ?? null, adopted: res.adopted };
        }
      }
    } catch (err) {
      const failure = classifySlackError(err);
      // A run's messages in its channel wait for the bot there; DMs and digests cannot.
      return d.kind === 'root' || d.kind === 'thread' || d.kind === 'root_update'
        ? heldOrFailed(failure)
        : { kind: 'failed', failure };
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

  /**
   * Who is told that Slack refused a run's message, by DM: the requester (once per run and
   * error, and never for the messages that only failed because the first one did), and the
   * people a refused handoff was for. A run requested by the system tells its active step's
   * assignees instead of a requester.
   */
  async function tellPeople(
    repos: Repositories,
    row: OutboxRow,
    run: Run,
    error: string,
    held: boolean,
    now: number,
  ): Promise<number> {
    const step = stepOf(row);
    // A message that failed only because the run's first one did: say why that one failed.
    const cascade = error === 'root_message_not_posted';
    const root = cascade
      ? (await repos.outbox.list({ runId: run.id })).find((r) => r.delivery.kind === 'root')
      : undefined;
    // A refused DM: its user is not told again by DM (that is what failed).
    const toUser = row.delivery.kind === 'dm' ? row.delivery.userId : undefined;
    const base = {
      type: 'delivery_problem' as const,
      runId: run.id,
      runTitle: run.title,
      channelId: toUser ? null : run.channelId,
      error: root?.lastError?.replace(/ \(.*$/, '') ?? error,
      held,
      failed: { notice: row.notice.type, ...step, ...(toUser ? { toUser } : {}) },
    };
    const notices: { userId: string; notice: DeliveryProblemNotice }[] = [];
    const mentioned = new Set<string>();
    if (row.notice.type === 'handoff') {
      for (const m of row.notice.mentions)
        for (const p of m.principals) if (isUser(p) && p !== toUser) mentioned.add(p);
      for (const userId of mentioned) notices.push({ userId, notice: { ...base, audience: 'owner' } });
    }
    const earlier = (await repos.events.forRun(run.id)).some(
      (e) => (e.type === 'delivery_failed' || e.type === 'delivery_held') && e.data.error === error,
    );
    if (!cascade && !earlier) {
      const ctx = run.context as { responseUrl?: unknown; responseUrlAt?: unknown };
      const responseUrl = typeof ctx.responseUrl === 'string' ? ctx.responseUrl : undefined;
      const at = typeof ctx.responseUrlAt === 'number' ? ctx.responseUrlAt : run.createdAt;
      const requesters = isUser(run.requester)
        ? [run.requester]
        : run.steps
            .filter((s) => s.status === 'active')
            .flatMap((s) => Object.values(s.assignees).flat())
            .filter(isUser);
      for (const userId of new Set(requesters)) {
        if (mentioned.has(userId) || userId === toUser) continue;
        const direct = userId === run.requester && responseUrl !== undefined;
        notices.push({
          userId,
          notice: {
            ...base,
            audience: 'requester',
            ...(direct ? { responseUrl, responseUrlUntil: at + RESPONSE_URL_TTL_MS } : {}),
          },
        });
      }
    }
    // Not the run's own messages: they never wait for its thread, and a refused one tells no one.
    await repos.outbox.enqueue(
      notices.map((n) => ({ runId: null, delivery: { kind: 'dm', userId: n.userId }, notice: n.notice })),
      now,
    );
    return notices.length;
  }

  /** The run's event saying Slack refused one of its messages (`delivery_failed`, `delivery_held`). */
  function refusal(
    row: OutboxRow,
    type: 'delivery_failed' | 'delivery_held',
    now: number,
    data: Record<string, unknown>,
  ): RunEvent {
    const base = { outboxId: row.id, delivery: row.delivery.kind, notice: row.notice.type };
    return {
      runId: row.runId,
      at: now,
      actor: 'system',
      type,
      stepKey: stepOf(row).stepKey,
      data: { ...base, ...data },
    };
  }

  async function giveUp(row: OutboxRow, error: string) {
    const now = clock();
    const told = await store.transaction(async (repos) => {
      if (!(await repos.outbox.markFailed(row.id, workerId, error, now))) return null;
      const run = row.runId ? await repos.runs.get(row.runId) : null;
      const code = error.replace(/ \(.*$/, '');
      const people = run ? await tellPeople(repos, row, run, code, false, now) : 0;
      await repos.events.append([
        refusal(row, 'delivery_failed', now, {
          error: code,
          ...(code !== error ? { detail: error } : {}),
          attempts: row.attempts + 1,
          told: people,
        }),
      ]);
      return people;
    });
    if (told === null) {
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
      told,
    });
  }

  /** Held until the bot is in the run's channel; the first held message of the run tells people. */
  async function hold(row: OutboxRow, error: string, tell: boolean) {
    const now = clock();
    const told = await store.transaction(async (repos) => {
      if (!(await repos.outbox.hold(row.id, workerId, error))) return null;
      if (!tell) return 0;
      const run = row.runId ? await repos.runs.get(row.runId) : null;
      const people = run ? await tellPeople(repos, row, run, error, true, now) : 0;
      await repos.events.append([
        refusal(row, 'delivery_held', now, { error, channelId: run?.channelId ?? null, told: people }),
      ]);
      return people;
    });
    if (told === null) {
      superseded(row, `held: ${error}`);
      return;
    }
    stats.held++;
    if (tell)
      log.warn('outbox: the bot is not in the channel; the run’s messages wait for an invitation', {
        id: row.id,
        runId: row.runId,
        error,
        told,
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
        if (outcome.adopted) stats.adopted++;
        return { sent: true, limitedUntil: null };
      }
      case 'coalesced':
        if (await write((o) => o.markSent(row.id, workerId, null, now))) stats.coalesced++;
        else superseded(row, 'coalesced');
        return done;
      case 'wait':
        await release(row, outcome.until, outcome.why);
        return done;
      case 'lost':
        superseded(row, 'not sent');
        return done;
      case 'held':
        await hold(row, outcome.error, outcome.tell);
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
          // Slack took nothing: no earlier post to look for.
          const until = now + f.retryAfterMs;
          if (!(await write((o) => o.handBack(row.id, workerId, until, f.error, true))))
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

  /** One lane: a destination's rows in order, paced; a rate limit holds the rest of it. */
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
      if (outcome.kind === 'sent' || outcome.kind === 'failed' || outcome.kind === 'held')
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

  /** A lane never rejects: what it could not settle stays leased and goes again after the lease. */
  async function runLane(channel: string, rows: OutboxRow[], leaseEnd: number): Promise<number> {
    try {
      return await sendChannel(channel, rows, leaseEnd);
    } catch (err) {
      log.error('outbox: sending to a channel failed', {
        channel,
        error: err instanceof Error ? err.message : String(err),
      });
      return 0;
    } finally {
      lanes.delete(channel);
    }
  }

  async function destinationOf(row: OutboxRow, runs: Map<string, Run | null>): Promise<string> {
    const d = row.delivery;
    if (d.kind === 'dm') return d.userId;
    if (d.kind === 'channel') return d.channelId;
    if (!row.runId) return 'none';
    if (!runs.has(row.runId)) runs.set(row.runId, await store.read.runs.get(row.runId));
    return runs.get(row.runId)?.channelId ?? `run:${row.runId}`;
  }

  /** Leases of senders whose process is gone end now: a restart sends their rows at once. */
  async function reclaimGone(now: number) {
    if (now - lastReclaim < reclaimEveryMs) return;
    lastReclaim = now;
    const gone = (await store.read.outbox.leaseHolders(now)).filter((w) => w !== workerId && isGone(w));
    if (gone.length === 0) return;
    const rows = await write((o) => o.releaseLeases(gone, now));
    stats.reclaimed += rows;
    if (rows > 0) log.info('outbox: took over the rows of stopped senders', { workers: gone, rows });
  }

  /**
   * Claim what is due for destinations without a lane, and start their lanes. One claim at a
   * time, so two claims never start two lanes for one channel.
   */
  function claimAndStart(): Promise<Promise<number>[]> {
    const claim = async (): Promise<Promise<number>[]> => {
      stats.ticks++;
      const now = clock();
      await reclaimGone(now);
      if (lanes.size >= maxLanes) return [];
      // Channels sending now, or this sender must wait on longer than a poll: left unclaimed.
      const skip = new Set(lanes.keys());
      for (const [channel, slot] of nextSlot) if (slot - now > maxPacingWaitMs) skip.add(channel);
      const rows = await store.transaction((repos) =>
        repos.outbox.claimDue(now, batchSize, workerId, leaseMs, [...skip]),
      );
      if (rows.length === 0) return [];
      const leaseEnd = now + leaseMs;
      const runs = new Map<string, Run | null>();
      const byChannel = new Map<string, OutboxRow[]>();
      for (const row of rows) {
        const channel = await destinationOf(row, runs);
        byChannel.set(channel, [...(byChannel.get(channel) ?? []), row]);
      }
      const started: Promise<number>[] = [];
      const busy: { row: OutboxRow; until: number }[] = [];
      for (const [channel, list] of byChannel) {
        // A row whose stored channel differs from its run's (moved since): its lane is running.
        if (lanes.has(channel)) {
          busy.push(...list.map((row) => ({ row, until: now })));
          continue;
        }
        const lane = runLane(channel, list, leaseEnd);
        lanes.set(channel, lane);
        started.push(lane);
      }
      await releaseAll(busy, 'its channel is sending');
      return started;
    };
    const result = claiming.then(claim, claim);
    claiming = result.catch(() => undefined);
    return result;
  }

  async function tick(): Promise<number> {
    const counts = await Promise.all(await claimAndStart());
    return counts.reduce((a, b) => a + b, 0);
  }

  async function poll(pollMs: number) {
    if (!polling) return;
    try {
      // Lanes run on their own: the next poll does not wait for a slow channel.
      await claimAndStart();
    } catch (err) {
      log.error('outbox: claiming failed', { error: err instanceof Error ? err.message : String(err) });
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
      await claiming;
      await Promise.all(lanes.values());
    },
    async drain(timeoutMs: number) {
      const deadline = clock() + timeoutMs;
      while (clock() < deadline) {
        const before = stats.sent + stats.failed + stats.coalesced + stats.held;
        await tick();
        if (stats.sent + stats.failed + stats.coalesced + stats.held > before) continue;
        // Nothing went out: done when nothing is owed; otherwise wait for the next slot.
        if ((await store.read.outbox.pendingCount()) === 0) return;
        await sleep(Math.max(1, Math.min(channelIntervalMs, deadline - clock())));
      }
    },
    stats: () => ({ ...stats, lastFailures: [...stats.lastFailures] }),
  };
}
