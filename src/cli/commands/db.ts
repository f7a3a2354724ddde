// `projectlead db copy --to <postgres-url> [--json]`: move up from SQLite to PostgreSQL. Copies
// every table of the SQLite DATABASE_URL into an empty PostgreSQL database and prints the rows it
// counted on both sides; a target that holds anything is refused and left as it was.
import { loadCoreConfig } from '../../config.ts';
import { copySqliteToPostgres } from '../../persistence/copy.ts';
import type { CliIo } from '../io.ts';

const USAGE = 'usage: projectlead db copy --to <postgres://…> [--json]\n';

export async function dbCommand(args: string[], io: CliIo): Promise<number> {
  const json = args.includes('--json');
  const rest = args.filter((a) => a !== '--json');
  const to = rest.indexOf('--to');
  const target = to >= 0 ? rest[to + 1] : undefined;
  if (rest[0] !== 'copy' || !target || rest.length !== 3) {
    io.stderr.write(USAGE);
    return 2;
  }
  const config = loadCoreConfig(io.env);
  const result = await copySqliteToPostgres(config.DATABASE_URL, target);
  if (json) {
    io.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  const width = Math.max(...result.tables.map((t) => t.table.length), 5);
  io.stdout.write(`Copied ${result.source} to ${result.target}; rows counted on both sides:\n`);
  io.stdout.write(`  ${'table'.padEnd(width)}  ${'SQLite'.padStart(8)}  ${'PostgreSQL'.padStart(10)}\n`);
  for (const t of result.tables)
    io.stdout.write(
      `  ${t.table.padEnd(width)}  ${String(t.source).padStart(8)}  ${String(t.target).padStart(10)}\n`,
    );
  return 0;
}
