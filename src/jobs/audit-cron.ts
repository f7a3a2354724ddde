// The quarterly Compliance Review's schedule (AUDIT_QUARTERLY_CRON in the work time zone) with
// node-cron, plus a catch-up at start: a quarter whose date passed while the bot was down starts
// once, now. Starting is once per quarter across processes (see audit-cadence.ts).
import cron, { type ScheduledTask } from 'node-cron';
import { type Logger, silentLogger } from '../logger.ts';
import type { AuditCadence, QuarterlyResult } from '../services/audits/audit-cadence.ts';

export interface AuditCronDeps {
  cadence: AuditCadence;
  schedule: string;
  timeZone: string;
  logger?: Logger;
}

export function createAuditCron(deps: AuditCronDeps) {
  const logger = deps.logger ?? silentLogger;
  let task: ScheduledTask | null = null;

  async function tick(): Promise<QuarterlyResult> {
    const result = await deps.cadence.startQuarterly();
    if (result.started)
      logger.info('quarterly compliance review started', { run: result.runId, quarter: result.quarter });
    return result;
  }

  return {
    /** Catch up, then schedule the review. */
    async start(): Promise<QuarterlyResult> {
      const caughtUp = await tick();
      task = cron.schedule(
        deps.schedule,
        async () => {
          try {
            await tick();
          } catch (err) {
            logger.error('quarterly compliance review failed', {
              error: String((err as Error).message ?? err),
            });
          }
        },
        { timezone: deps.timeZone, name: 'audit-quarterly', noOverlap: true },
      );
      return caughtUp;
    },
    async stop() {
      await task?.destroy();
      task = null;
    },
  };
}
