// Slack as a delivery channel of the outbox worker (src/outbox/worker.ts): the rules of each kind
// of row. A lane is a Slack channel, or a user for DMs.
//
// - `root` posts the run's root message and records it (its ts becomes the run's thread);
//   `thread` waits until the root exists and every earlier message of the run went out;
//   `root_update` edits the root from the run's current state, and is dropped when a newer one is
//   pending (coalesced); `dm` posts to the user ID, and a run's DM waits like a thread reply (it
//   links to the thread, so the root and the run's earlier messages go first); `channel` posts
//   to the channel, and a run's reply in the thread it was declared from (`run_declared`) waits,
//   as a thread reply does, then links to the run's root; the weekly digest's chart is uploaded
//   there as a file (upload.ts).
// - No duplicate when Slack took a post but its answer was lost: each post carries its row in
//   message metadata (lookup.ts), the row is marked `maybeSent` before the call, and a row so
//   marked is looked for in the thread or channel before it is posted again (post.ts).
// - Slack refusing for want of the bot in the channel holds the run's messages there until the
//   bot joins; other refusals fail the row; either way people are told (problems.ts).
import type { WebClient } from '@slack/web-api';
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import { linksOf } from '../../domain/links.ts';
import type { Run } from '../../domain/types.ts';
import type { Logger } from '../../logger.ts';
import type { DeliveryChannel, DeliveryOutcome } from '../../outbox/channel.ts';
import { NO_CHANNEL, type OutboxRow, type Store } from '../../persistence/ports.ts';
import { threadLink } from '../../services/digests/digest.ts';
import { NOT_IN_CHANNEL_ERRORS } from '../blocks/delivery.ts';
import { type RenderContext, renderNotice, type SlackMessage } from '../render.ts';
import { type CallFailure, classifySlackError } from './errors.ts';
import { createSlackPoster, type PostResult } from './post.ts';
import { recordFailure, recordHeld } from './problems.ts';
import { uploadDigestChart } from './upload.ts';

export interface SlackChannelOptions {
  store: Store;
  /** Create it with `createSlackClient` (no client-side retries, 429s rejected at once). */
  client: WebClient;
  playbooks: readonly Playbook[];
  clock: () => number;
  log: Logger;
  /** The outbox worker's id: rows are marked in flight under its lease. */
  workerId: string;
  /** Slack allows about one message a second per channel. */
  channelIntervalMs?: number;
  /** Upper bound of one Web API call. */
  requestTimeoutMs?: number;
  /** The workspace URL (auth.test's `url`): a run's DMs link to its thread with it. */
  permalinkBase?: () => Promise<string>;
}

const RUN_KINDS = new Set(['root', 'thread', 'root_update']);

/** What a failed call comes to: waiting as told, another try, or refused for good. */
function outcomeOf(failure: CallFailure): DeliveryOutcome {
  if (failure.kind === 'rate_limited')
    return { kind: 'rate_limited', retryAfterMs: failure.retryAfterMs, error: failure.error };
  if (failure.kind === 'transient') return { kind: 'retry', error: failure.error };
  return { kind: 'failed', error: failure.error };
}

export function createSlackChannel(opts: SlackChannelOptions): DeliveryChannel {
  const { store, clock } = opts;
  const intervalMs = opts.channelIntervalMs ?? 1000;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
  const playbooks = new Map(opts.playbooks.map((p) => [p.id, p]));
  const slack = createSlackPoster({ ...opts, requestTimeoutMs });

  const render = (row: OutboxRow, run: Run | null, links: Partial<RenderContext> = {}): SlackMessage =>
    renderNotice(row.notice, {
      run,
      playbook: run ? playbooks.get(run.chain) : null,
      now: clock(),
      delivery: row.delivery,
      ...links,
    });

  /** Permalinks of the threads of the runs the run links (its root message and link lines show them). */
  async function linkPermalinks(r: Run): Promise<Partial<RenderContext>> {
    const links = linksOf(r);
    if (links.length === 0) return {};
    const base = await opts.permalinkBase?.().catch(() => undefined);
    if (!base) return {};
    const permalinks: Record<string, string> = {};
    for (const l of links) {
      const other = await store.read.runs.get(l.runId);
      const link = other ? threadLink(other, base) : null;
      if (link) permalinks[l.runId] = link;
    }
    return { linkPermalinks: permalinks };
  }

  /** Held until the bot is in the channel; the first held message of the run tells people. */
  const held = (error: string, row: OutboxRow, tell: boolean): DeliveryOutcome =>
    tell
      ? { kind: 'held', error, record: (repos, now) => recordHeld(repos, row, error, now) }
      : { kind: 'held', error };

  /** A run's channel message refused for want of the bot there is held; the rest as classified. */
  function refused(row: OutboxRow, err: unknown): DeliveryOutcome {
    const failure = classifySlackError(err);
    // A run's messages in its channel wait for the bot there; DMs and digests cannot.
    if (
      RUN_KINDS.has(row.delivery.kind) &&
      failure.kind === 'permanent' &&
      NOT_IN_CHANNEL_ERRORS.has(failure.error)
    )
      return held(failure.error, row, true);
    return outcomeOf(failure);
  }

  const sent = (res: PostResult | 'lost'): DeliveryOutcome =>
    res === 'lost' ? { kind: 'lost' } : { kind: 'sent', ref: res.ts ?? null, adopted: res.adopted };

  const waiting = (why: string): DeliveryOutcome => ({ kind: 'wait', until: clock() + intervalMs, why });

  async function root(row: OutboxRow, r: Run): Promise<DeliveryOutcome> {
    if (r.rootTs) return { kind: 'sent', ref: r.rootTs };
    if (!r.channelId) return { kind: 'undeliverable', error: NO_CHANNEL };
    // A mention's thread holds the run: the root message is the bot's first reply there.
    const inThread = r.source === 'mention' && r.threadTs ? r.threadTs : null;
    const res = await slack.postRow(
      row,
      async () => ({ channel: r.channelId!, threadTs: inThread }),
      { channel: r.channelId, ...(inThread ? { thread_ts: inThread } : {}) },
      render(row, r, await linkPermalinks(r)),
    );
    if (res === 'lost') return { kind: 'lost' };
    const ts = res.ts;
    if (!ts) return { kind: 'retry', error: 'no_ts_in_response' };
    return {
      kind: 'sent',
      ref: ts,
      adopted: res.adopted,
      // The row's holder records its root. A worker that lost the row records the message it
      // posted only while the run has none, so whoever sends the row next finds it there.
      record: async (repos, own) => {
        if (own || !(await repos.runs.get(r.id))?.rootTs)
          await repos.runs.setRootMessage(r.id, res.channel ?? r.channelId!, ts, inThread ?? ts);
      },
    };
  }

  async function thread(row: OutboxRow, r: Run): Promise<DeliveryOutcome> {
    if (!r.channelId) return { kind: 'undeliverable', error: NO_CHANNEL };
    if (await store.read.outbox.hasEarlierPending(r.id, row.id))
      return waiting('an earlier message of the run is pending');
    const earlier = await store.read.outbox.earlierHeld(r.id, row.id);
    if (earlier) return held(earlier, row, false);
    if (!r.rootTs || !r.threadTs) return { kind: 'failed', error: 'root_message_not_posted' };
    return sent(
      await slack.postRow(
        row,
        async () => ({ channel: r.channelId!, threadTs: r.threadTs }),
        { channel: r.channelId, thread_ts: r.threadTs },
        // A handoff links to its thread for the earlier outputs it trims.
        row.notice.type === 'handoff'
          ? render(row, r, { permalinkBase: await opts.permalinkBase?.().catch(() => undefined) })
          : row.notice.type === 'run_linked'
            ? render(row, r, await linkPermalinks(r))
            : render(row, r),
      ),
    );
  }

  async function rootUpdate(row: OutboxRow, r: Run): Promise<DeliveryOutcome> {
    if (!r.channelId) return { kind: 'undeliverable', error: NO_CHANNEL };
    if (await store.read.outbox.hasNewerRootUpdate(r.id, row.id)) return { kind: 'coalesced' };
    if (!r.rootTs) {
      if (await store.read.outbox.hasEarlierPending(r.id, row.id))
        return waiting('the root message is not posted yet');
      // The held root shows the run's current state when it goes out: nothing to update.
      if (await store.read.outbox.earlierHeld(r.id, row.id)) return { kind: 'coalesced' };
      return { kind: 'failed', error: 'root_message_not_posted' };
    }
    const earlier = await store.read.outbox.earlierHeld(r.id, row.id);
    if (earlier) return held(earlier, row, false);
    const res = await slack.send(
      'chat.update',
      { channel: r.channelId, ts: r.rootTs },
      render(row, r, await linkPermalinks(r)),
    );
    return { kind: 'sent', ref: res.ts ?? r.rootTs };
  }

  async function dm(row: OutboxRow, userId: string): Promise<DeliveryOutcome> {
    // A run's DM links to its thread: it waits, as a reply does, for what goes there first.
    if (row.runId && (await store.read.outbox.hasEarlierPending(row.runId, row.id)))
      return waiting('the run thread is not posted yet');
    const run = row.runId ? await store.read.runs.get(row.runId) : null;
    const message = render(row, run, { permalinkBase: await opts.permalinkBase?.() });
    if (row.notice.type === 'delivery_problem' && (await slack.answerOnResponseUrl(row.notice, message)))
      return { kind: 'sent', ref: null };
    return sent(await slack.postRow(row, () => slack.dmChannel(userId), { channel: userId }, message));
  }

  async function channel(row: OutboxRow, channelId: string): Promise<DeliveryOutcome> {
    const run = row.runId ? await store.read.runs.get(row.runId) : null;
    if (row.notice.type === 'digest_chart') {
      const comment = render(row, null).text;
      const { fileId } = await uploadDigestChart(
        opts.client,
        row.notice,
        channelId,
        comment,
        requestTimeoutMs,
      );
      return { kind: 'sent', ref: fileId };
    }
    if (row.notice.type === 'run_declared') return declared(row, channelId, row.notice.replyIn.threadTs, run);
    if (row.notice.type === 'run_linked' && row.notice.replyIn)
      return declared(row, channelId, row.notice.replyIn.threadTs, run);
    return sent(
      await slack.postRow(
        row,
        async () => ({ channel: channelId }),
        { channel: channelId },
        render(row, run),
      ),
    );
  }

  /**
   * The reply in the thread a run was declared from, linking to the run's root: it waits, as a
   * thread reply does, for the run's earlier messages, and is held with them.
   */
  async function declared(
    row: OutboxRow,
    channelId: string,
    threadTs: string,
    r: Run | null,
  ): Promise<DeliveryOutcome> {
    if (!r) return { kind: 'failed', error: 'run_not_found' };
    if (await store.read.outbox.hasEarlierPending(r.id, row.id))
      return waiting('the run’s root message is not posted yet');
    const earlier = await store.read.outbox.earlierHeld(r.id, row.id);
    if (earlier) return held(earlier, row, false);
    if (!r.rootTs || !r.channelId) return { kind: 'failed', error: 'root_message_not_posted' };
    const rootPermalink = await slack.permalink(r.channelId, r.rootTs);
    return sent(
      await slack.postRow(
        row,
        async () => ({ channel: channelId, threadTs }),
        { channel: channelId, thread_ts: threadTs },
        render(row, r, { rootPermalink }),
      ),
    );
  }

  return {
    name: 'slack',
    kinds: ['root', 'thread', 'root_update', 'dm', 'channel'],
    intervalMs,
    deliveryTimeoutMs: requestTimeoutMs,

    /** A DM's user, a digest's channel, a run message's run channel (read now: it may move). */
    async lanesOf(rows) {
      // A run's lane is its channel: read alone, once per run of the batch.
      const channels = new Map<string, Promise<string | null>>();
      const channelOf = (id: string) => {
        if (!channels.has(id)) channels.set(id, store.read.runs.channelOf(id));
        return channels.get(id)!;
      };
      const keys: string[] = [];
      for (const row of rows) {
        const d = row.delivery;
        if (d.kind === 'dm') keys.push(d.userId);
        else if (d.kind === 'channel') keys.push(d.channelId);
        else if (!row.runId) keys.push('none');
        else keys.push((await channelOf(row.runId)) ?? `run:${row.runId}`);
      }
      return keys;
    },

    async deliver(row) {
      const d = row.delivery;
      const run = row.runId ? await store.read.runs.get(row.runId) : null;
      if (RUN_KINDS.has(d.kind) && !run) return { kind: 'failed', error: 'run_not_found' };
      try {
        switch (d.kind) {
          case 'root':
            return await root(row, run!);
          case 'thread':
            return await thread(row, run!);
          case 'root_update':
            return await rootUpdate(row, run!);
          case 'dm':
            return await dm(row, d.userId);
          case 'channel':
            return await channel(row, d.channelId);
          case 'webhook':
            return { kind: 'failed', error: 'not_a_slack_delivery' };
        }
      } catch (err) {
        return refused(row, err);
      }
    },

    failed: recordFailure,
  };
}
