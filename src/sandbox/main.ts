// `npm run sandbox`: ProjectLead against the built-in Slack stand-in, with the page that plays
// every person at http://127.0.0.1:<PORT>/ (PORT defaults to 3000). It reads the environment
// only (never `.env`, which may point at a real workspace's database): DATABASE_URL (default
// ./data/sandbox.sqlite), PORT, LOG_LEVEL and the playbook, role, digest and work time settings.
import { isDomainError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { DEFAULT_SANDBOX_DB, startSandbox } from './sandbox.ts';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

async function main() {
  // Quiet by default (warnings and errors); a bad LOG_LEVEL is refused by the configuration.
  const level = LEVELS.find((l) => l === process.env.LOG_LEVEL) ?? 'warn';
  const logger = createLogger(level);
  const sandbox = await startSandbox({ env: process.env, logger });
  process.stdout.write(
    `ProjectLead sandbox: open ${sandbox.url} (database ${process.env.DATABASE_URL || DEFAULT_SANDBOX_DB}; Ctrl-C stops it)\n`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await sandbox.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  const message = isDomainError(err) || err instanceof Error ? err.message : String(err);
  process.stderr.write(`projectlead sandbox: ${message.split('\n')[0]}\n`);
  process.exit(1);
});
