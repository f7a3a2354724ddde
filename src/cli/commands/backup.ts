// `projectlead backup <file>`: a consistent copy of the database while the bot runs.
import { loadCoreConfig } from '../../config.ts';
import { backupDatabase } from '../../persistence/open.ts';
import type { CliIo } from '../io.ts';

export async function backupCommand(args: string[], io: CliIo): Promise<number> {
  const positional = args.filter((a) => a !== '--json');
  if (positional.length !== 1) {
    io.stderr.write('usage: projectlead backup <file>\n');
    return 2;
  }
  const config = loadCoreConfig(io.env);
  const result = await backupDatabase(config.DATABASE_URL, positional[0]!);
  if (args.includes('--json')) io.stdout.write(`${JSON.stringify(result)}\n`);
  else
    io.stdout.write(
      `Backed up ${result.source} to ${result.target} (${result.pages} pages, ${result.bytes} bytes).\n`,
    );
  return 0;
}
