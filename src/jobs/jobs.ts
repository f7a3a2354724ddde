// The bot's jobs as its composition roots start them (src/main.ts, the sandbox): the timer
// scheduler (reminders, escalations, GDPR), the digest schedules and the quarterly review, on the core's store and
// clock (or the clock given).
import type { CoreConfig } from '../config.ts';
import type { Clock } from '../core/clock.ts';
import type { Core } from '../core.ts';
import type { Logger } from '../logger.ts';
import { createAuditCron } from './audit-cron.ts';
import { createDigestCron } from './digest-cron.ts';
import { createScheduler } from './scheduler.ts';

export function createJobs(
  core: Core,
  config: CoreConfig,
  opts: { logger: Logger; clock?: Clock; tickIntervalMs?: number },
) {
  const clock = opts.clock ?? core.clock;
  const scheduler = createScheduler({
    store: core.store,
    clock,
    workerId: core.workerId,
    directory: core.directory,
    adminUserIds: core.adminUserIds,
    logger: opts.logger,
    onNotices: core.webhooks.enqueueForNotices,
    ...(opts.tickIntervalMs !== undefined ? { intervalMs: opts.tickIntervalMs } : {}),
  });
  const digests = createDigestCron({
    digests: core.digests,
    clock,
    schedules: { daily: config.DIGEST_DAILY_CRON, weekly: config.DIGEST_WEEKLY_CRON },
    timeZone: config.DIGEST_TIMEZONE,
    logger: opts.logger,
  });
  const audits = createAuditCron({
    cadence: core.audits,
    schedule: config.AUDIT_QUARTERLY_CRON,
    timeZone: core.workTimeZone,
    logger: opts.logger,
  });
  return { scheduler, digests, audits };
}
