// Digests to DIGEST_CHANNEL: build one (pure data + text), or post one at most once per period.
// Posting claims the period key (`daily:2026-11-02`, `weekly:2026-W45`) and enqueues the
// channel message in one transaction: with two processes, or after a restart, a period is
// posted once; a crash before commit leaves it unclaimed for the next start to catch up.
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import { type ClockQueries, clockQueriesFor } from '../../persistence/reporting.ts';
import type { DigestRepository } from '../../persistence/repositories.ts';
import type { Store } from '../../persistence/store.ts';
import type { Clock } from '../run-service.ts';
import { buildDigestData, type DigestData } from './digest.ts';
import { type DigestKind, periodKey } from './digest-periods.ts';
import { digestText, digestTitle } from './report-text.ts';

const DAY = 24 * 3_600_000;

export interface DigestServiceDeps {
  store: Store;
  clock: Clock;
  /** DIGEST_TIMEZONE: period keys and the times digests show. */
  timeZone: string;
  /** DIGEST_CHANNEL; null: digests are off (dry runs still work). */
  channel: string | null;
  playbooks: Playbook[];
  /** Names this process in the digest claims. */
  workerId: string;
  /** Base of thread links, e.g. `https://acme.slack.com` (default `https://slack.com`). */
  permalinkBase?: string;
  /** Items listed per section. */
  limit?: number;
  queries?: ClockQueries;
}

/** The outbox payload of a digest (Delivery: the digest channel). */
export type DigestNotice = {
  type: 'digest';
  kind: DigestKind;
  periodKey: string;
  title: string;
  /** Slack mrkdwn of the whole digest (fallback text and archive). */
  text: string;
  data: DigestData;
};

export interface PostDigestResult {
  posted: boolean;
  periodKey: string;
  /** Why nothing was posted. */
  reason?: 'already_posted' | 'digests_off';
  outboxId?: number;
  digest?: DigestData;
}

export function createDigestService(deps: DigestServiceDeps) {
  const queries = deps.queries ?? clockQueriesFor(deps.store);
  const defaultSpan = (kind: DigestKind) => (kind === 'weekly' ? 7 * DAY : DAY);

  async function sinceFor(digests: DigestRepository, kind: DigestKind, now: number): Promise<number> {
    const last = await digests.last(kind);
    return last && last.claimedAt < now ? last.claimedAt : now - defaultSpan(kind);
  }

  async function build(
    kind: DigestKind,
    now: number,
    since: number,
    key = periodKey(kind, now, deps.timeZone),
  ): Promise<DigestData> {
    const deliveryProblems = await deps.store.read.outbox.deliveryProblems();
    return buildDigestData(queries, {
      kind,
      periodKey: key,
      now,
      since,
      timeZone: deps.timeZone,
      playbooks: deps.playbooks,
      permalinkBase: deps.permalinkBase,
      limit: deps.limit,
      deliveryProblems,
    });
  }

  return {
    channel: deps.channel,
    timeZone: deps.timeZone,

    /** The digest as it would be posted now: shipped since the last one of its kind. */
    async buildDigest(kind: DigestKind, now: number = deps.clock()): Promise<DigestData> {
      return build(kind, now, await sinceFor(deps.store.read.digests, kind, now));
    },

    /** `projectlead digest --dry-run`: the digest and its Markdown, nothing claimed or posted. */
    async dryRun(kind: DigestKind): Promise<{ digest: DigestData; markdown: string }> {
      const now = deps.clock();
      const digest = await build(kind, now, await sinceFor(deps.store.read.digests, kind, now));
      return { digest, markdown: digestText(digest, 'markdown') };
    },

    /**
     * Post the digest of the period containing `periodAt` (default now) unless that period was
     * posted already. `force` (`/lead digest`) posts now whatever the period's state, without
     * using up the scheduled one.
     */
    async postDigest(
      kind: DigestKind,
      options: { force?: boolean; periodAt?: number } = {},
    ): Promise<PostDigestResult> {
      const channel = deps.channel;
      return deps.store.transaction(async (repos) => {
        const now = deps.clock();
        const scheduledKey = periodKey(kind, options.periodAt ?? now, deps.timeZone);
        if (!channel) return { posted: false, periodKey: scheduledKey, reason: 'digests_off' };
        const since = await sinceFor(repos.digests, kind, now);
        const key = options.force ? `${scheduledKey}#manual@${now}` : scheduledKey;
        const claimKind = options.force ? `${kind}:manual` : kind;
        if (!(await repos.digests.claim(key, claimKind, deps.workerId, now))) {
          return { posted: false, periodKey: key, reason: 'already_posted' };
        }
        const digest = await build(kind, now, since, scheduledKey);
        const notice: DigestNotice = {
          type: 'digest',
          kind,
          periodKey: scheduledKey,
          title: digestTitle(digest),
          text: digestText(digest, 'mrkdwn'),
          data: digest,
        };
        const [outboxId] = await repos.outbox.enqueue(
          [{ runId: null, delivery: { kind: 'channel', channelId: channel }, notice }],
          now,
        );
        await repos.digests.markPosted(key, outboxId ?? null, now);
        return { posted: true, periodKey: key, outboxId, digest };
      });
    },
  };
}

export type DigestService = ReturnType<typeof createDigestService>;
