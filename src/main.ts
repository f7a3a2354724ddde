// Composition root: configuration, database, services; stops with one clear line when the
// configuration is wrong.
import { loadBotConfig } from './config.ts';
import { createCore } from './core.ts';
import { isDomainError } from './errors.ts';
import { createLogger } from './logger.ts';

async function main() {
  const config = loadBotConfig();
  const log = createLogger(config.LOG_LEVEL);
  const core = await createCore(config);
  log.info('ProjectLead is ready', { database: core.db.path, chains: core.playbooks.map((p) => p.id) });
  const stop = async (signal: string) => {
    log.info(`${signal}: shutting down`);
    await core.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  setInterval(() => {}, 1 << 30);
}

main().catch((err: unknown) => {
  const message = isDomainError(err) || err instanceof Error ? err.message : String(err);
  process.stderr.write(`projectlead: ${message.split('\n')[0]}\n`);
  process.exit(1);
});
