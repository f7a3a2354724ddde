// Composition root: configuration, core (database, services), the Slack app. A bad
// configuration stops the bot with one line on stderr and exit code 1; SIGTERM and SIGINT stop
// taking requests, drain the outbox and close the database.
import { createApp } from './app.ts';
import { loadBotConfig, readEnvironment } from './config.ts';
import { createCore } from './core.ts';
import { isDomainError } from './errors.ts';
import { createJobs } from './jobs/jobs.ts';
import { createLogger } from './logger.ts';

async function main() {
  const config = loadBotConfig(readEnvironment());
  const log = createLogger(config.LOG_LEVEL);
  const core = await createCore(config);
  const bot = createApp({ config, core, logger: log });
  // The clocks (reminders, escalations, GDPR) and the digests post through the outbox.
  const { scheduler, digests, audits } = createJobs(core, config, { logger: log });
  // A process manager stopping `npm start` may signal npm and the bot both (npm forwards what it
  // gets): the first SIGTERM or SIGINT starts the drain, any later one is only logged, so a
  // repeated signal never cuts the drain short.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.info(`${signal}: already shutting down`);
      return;
    }
    stopping = true;
    log.info(`${signal}: shutting down (stop taking requests, drain the outbox)`);
    let code = 0;
    try {
      await Promise.all([scheduler.stop(), digests.stop(), audits.stop()]);
      await bot.stop();
    } catch (err) {
      code = 1;
      log.error('Shutdown failed', { error: String((err as Error).stack ?? err) });
    } finally {
      await core.close();
    }
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await bot.start();
  await scheduler.start();
  if (config.DIGEST_CHANNEL) {
    // A digest caught up now links to threads: the workspace URL is known first (or never).
    await bot.workspaceUrl().catch(() => undefined);
    await digests.start();
  }
  await audits.start();
}

main().catch((err: unknown) => {
  const message = isDomainError(err) || err instanceof Error ? err.message : String(err);
  process.stderr.write(`projectlead: ${message.split('\n')[0]}\n`);
  process.exit(1);
});
