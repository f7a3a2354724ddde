// Digest schedules with node-cron in the digest time zone (DIGEST_DAILY_CRON,
// DIGEST_WEEKLY_CRON), plus a catch-up at start: a period whose scheduled time passed while
// the bot was down is posted once, now. Posting is exactly-once per period (see digest-service).
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../core/clock.ts';
import type { DigestKind } from '../domain/reports.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { lastOccurrence } from '../services/digests/digest-periods.ts';
import type { DigestService, PostDigestResult } from '../services/digests/digest-service.ts';

export interface DigestCronDeps {
  digests: DigestService;
  clock: Clock;
  /** Cron expressions per kind (5 or 6 fields), in `timeZone`. */
  schedules: Record<DigestKind, string>;
  timeZone: string;
  logger?: Logger;
}

export interface DigestCron {
  /** Post the latest scheduled period of each kind if it was never posted. */
  catchUp(): Promise<PostDigestResult[]>;
  /** Catch up, then schedule the cron jobs. */
  start(): Promise<PostDigestResult[]>;
  stop(): Promise<void>;
}

export function createDigestCron(deps: DigestCronDeps): DigestCron {
  const logger = deps.logger ?? silentLogger;
  const tasks: ScheduledTask[] = [];
  const kinds = Object.keys(deps.schedules) as DigestKind[];

  async function post(kind: DigestKind, periodAt: number): Promise<PostDigestResult> {
    const result = await deps.digests.postDigest(kind, { periodAt });
    if (result.posted) logger.info('digest posted', { kind, period: result.periodKey });
    return result;
  }

  async function catchUp(): Promise<PostDigestResult[]> {
    const out: PostDigestResult[] = [];
    for (const kind of kinds) {
      const at = lastOccurrence(deps.schedules[kind], deps.timeZone, deps.clock());
      if (at !== null) out.push(await post(kind, at));
    }
    return out;
  }

  return {
    catchUp,
    async start() {
      const results = await catchUp();
      for (const kind of kinds) {
        const task = cron.schedule(
          deps.schedules[kind],
          async () => {
            try {
              await post(kind, deps.clock());
            } catch (err) {
              logger.error('digest failed', { kind, error: String((err as Error).message ?? err) });
            }
          },
          { timezone: deps.timeZone, name: `digest-${kind}`, noOverlap: true },
        );
        tasks.push(task);
      }
      return results;
    },
    async stop() {
      for (const t of tasks.splice(0)) await t.destroy();
    },
  };
}
