// Digests to DIGEST_CHANNEL: build one (pure data + text), or post one at most once per period.
// Posting claims the period key (`daily:2026-11-02`, `weekly:2026-W45`), enqueues the channel
// message and records a `digest_posted` event in one transaction: with two processes, or after
// a restart, a period is posted once; a crash before commit leaves it unclaimed for the next
// start to catch up. A scheduled post never covers a period that began before the install.
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { DigestChartNotice, DigestData, DigestKind, DigestNotice } from '../../domain/reports.ts';
import { type Actor, SYSTEM_ACTOR } from '../../domain/types.ts';
import type { Repositories, Store } from '../../persistence/ports.ts';
import { chartPng } from '../metrics/chart-png.ts';
import { buildChainChart } from '../metrics/metrics.ts';
import { digestText, digestTitle } from '../reports/report-text.ts';
import { buildDigestData } from './digest.ts';
import { periodKey, periodStart } from './digest-periods.ts';

const DAY = 24 * 3_600_000;

/** The settings key of the workspace URL (auth.test's `url`), the base of permalinks. */
export const WORKSPACE_URL_SETTING = 'workspace_url';

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
  /** Base of thread links; default: the workspace URL the bot recorded from auth.test. */
  permalinkBase?: string;
  /** Items listed per section. */
  limit?: number;
}

export interface PostDigestResult {
  posted: boolean;
  periodKey: string;
  /** Why nothing was posted. */
  reason?: 'already_posted' | 'digests_off' | 'before_install';
  outboxId?: number;
  digest?: DigestData;
}

/** `/lead digest`: posted to the channel (an admin), or shown to the asker alone. */
export type DigestRequestResult =
  | { shown: 'channel'; channel: string; digest: DigestData }
  | { shown: 'requester'; reason: 'admins_only' | 'digests_off'; channel: string | null; digest: DigestData };

export function createDigestService(deps: DigestServiceDeps) {
  const defaultSpan = (kind: DigestKind) => (kind === 'weekly' ? 7 * DAY : DAY);

  async function sinceFor(repos: Repositories, kind: DigestKind, now: number): Promise<number> {
    const last = await repos.digests.last(kind);
    return last && last.claimedAt < now ? last.claimedAt : now - defaultSpan(kind);
  }

  async function build(
    repos: Repositories,
    kind: DigestKind,
    now: number,
    since?: number,
    key = periodKey(kind, now, deps.timeZone),
  ): Promise<DigestData> {
    const deliveryProblems = await deps.store.read.outbox.deliveryProblems();
    return buildDigestData(repos, {
      kind,
      periodKey: key,
      now,
      since: since ?? (await sinceFor(repos, kind, now)),
      timeZone: deps.timeZone,
      playbooks: deps.playbooks,
      permalinkBase: deps.permalinkBase ?? (await repos.settings.get(WORKSPACE_URL_SETTING)),
      limit: deps.limit,
      deliveryProblems,
    });
  }

  async function drawChart(now: number): Promise<Pick<DigestChartNotice, 'chart' | 'png'>> {
    const chart = await buildChainChart(deps.store.read.reports, deps.playbooks, {
      now,
      timeZone: deps.timeZone,
    });
    return { chart, png: Buffer.from(await chartPng(chart)).toString('base64') };
  }

  /**
   * Post the digest of the period containing `periodAt` (default now) unless that period was
   * posted already or began before the install. `force` (`/lead digest`, by `by`) posts now
   * whatever the period's state, without using up the scheduled one.
   */
  async function postDigest(
    kind: DigestKind,
    options: { force?: boolean; periodAt?: number; by?: string } = {},
  ): Promise<PostDigestResult> {
    const channel = deps.channel;
    // The weekly chart is drawn before the claim (outside the transaction, it takes a moment),
    // unless the period was posted already: the outbox row then holds the picture, and sending
    // it is only the upload. A chart that cannot be drawn does not hold the digest back.
    let drawn: Pick<DigestChartNotice, 'chart' | 'png'> | null = null;
    let chartError: string | null = null;
    if (kind === 'weekly' && channel) {
      const due = periodKey(kind, options.periodAt ?? deps.clock(), deps.timeZone);
      if (options.force || (await deps.store.read.digests.last(kind))?.periodKey !== due) {
        drawn = await drawChart(deps.clock()).catch((err: unknown) => {
          chartError = err instanceof Error ? err.message : String(err);
          return null;
        });
      }
    }
    return deps.store.transaction(async (repos) => {
      const now = deps.clock();
      const periodAt = options.periodAt ?? now;
      const scheduledKey = periodKey(kind, periodAt, deps.timeZone);
      if (!channel) return { posted: false, periodKey: scheduledKey, reason: 'digests_off' };
      // A fresh install is quiet: nothing for a period that was under way before it.
      if (
        !options.force &&
        periodStart(kind, periodAt, deps.timeZone) < (await repos.settings.installedAt(now))
      ) {
        return { posted: false, periodKey: scheduledKey, reason: 'before_install' };
      }
      const key = options.force ? `${scheduledKey}#manual@${now}` : scheduledKey;
      const claimKind = options.force ? `${kind}:manual` : kind;
      const since = await sinceFor(repos, kind, now);
      if (!(await repos.digests.claim(key, claimKind, deps.workerId, now))) {
        return { posted: false, periodKey: key, reason: 'already_posted' };
      }
      const digest = await build(repos, kind, now, since, scheduledKey);
      const notice: DigestNotice = {
        type: 'digest',
        kind,
        periodKey: scheduledKey,
        title: digestTitle(digest),
        text: digestText(digest),
        data: digest,
      };
      // The weekly digest brings its chart: uploaded after it, once, through the same claim.
      const chart: DigestChartNotice[] = drawn
        ? [{ type: 'digest_chart', periodKey: scheduledKey, ...(await drawn) }]
        : [];
      const [outboxId] = await repos.outbox.enqueue(
        [notice, ...chart].map((n) => ({
          runId: null,
          delivery: { kind: 'channel', channelId: channel },
          notice: n,
        })),
        now,
      );
      await repos.digests.markPosted(key, outboxId ?? null, now);
      await repos.events.append([
        {
          runId: null,
          at: now,
          actor: options.by ?? SYSTEM_ACTOR,
          type: 'digest_posted',
          stepKey: null,
          data: {
            kind,
            periodKey: key,
            channel,
            outboxId: outboxId ?? null,
            manual: options.force ?? false,
            ...(kind === 'weekly' ? { chart: drawn !== null, ...(chartError ? { chartError } : {}) } : {}),
          },
        },
      ]);
      return { posted: true, periodKey: key, outboxId, digest };
    });
  }

  return {
    channel: deps.channel,
    timeZone: deps.timeZone,

    /** The digest as it would be posted now: shipped since the last one of its kind. */
    async buildDigest(kind: DigestKind, now: number = deps.clock()): Promise<DigestData> {
      return build(deps.store.read, kind, now);
    },

    /** `projectlead digest --dry-run`: the digest and its Markdown, nothing claimed or posted. */
    async dryRun(kind: DigestKind): Promise<{ digest: DigestData; markdown: string }> {
      const digest = await build(deps.store.read, kind, deps.clock());
      return { digest, markdown: digestText(digest) };
    },

    postDigest,

    /**
     * `/lead digest [daily|weekly]`: an admin posts it now to the digest channel (an event
     * records it); anyone else, or anyone while digests are off, gets it to see alone.
     */
    async requestDigest(kind: DigestKind, actor: Actor): Promise<DigestRequestResult> {
      const channel = deps.channel;
      if (channel && actor.isAdmin) {
        const posted = await postDigest(kind, { force: true, by: actor.userId });
        if (posted.digest) return { shown: 'channel', channel, digest: posted.digest };
      }
      return {
        shown: 'requester',
        reason: channel ? 'admins_only' : 'digests_off',
        channel,
        digest: await build(deps.store.read, kind, deps.clock()),
      };
    },

    /** When the bot was installed (recorded on the first call). */
    installedAt(): Promise<number> {
      return deps.store.transaction((repos) => repos.settings.installedAt(deps.clock()));
    },
  };
}

export type DigestService = ReturnType<typeof createDigestService>;
