// `projectlead <command>`: the operator's view of the same database the bot uses.
// With --json a command prints JSON alone on stdout; logs and errors go to stderr.
// The commands are one static table; each command's module is loaded when it is run, so that
// `projectlead help` or `migrate` does not load the classifier or the core.
import { readEnvironment } from '../config.ts';
import type { CliCommand, CliIo } from './io.ts';

export type { CliCommand, CliIo } from './io.ts';

interface CommandEntry {
  /** The usage lines: the command's syntax and what it does. */
  usage: readonly (readonly [syntax: string, does: string])[];
  load: () => Promise<CliCommand>;
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  runs: {
    usage: [['runs [--json]', 'all runs with their steps and events']],
    load: async () => (await import('./commands/runs.ts')).runsCommand,
  },
  playbooks: {
    usage: [
      ['playbooks [--json]', 'the loaded chains'],
      ['playbooks validate <dir>', 'check every playbook file in a folder'],
    ],
    load: async () => (await import('./commands/playbooks.ts')).playbooksCommand,
  },
  roles: {
    usage: [['roles [--json]', 'who holds each role, and their escalation path']],
    load: async () => (await import('./commands/roles.ts')).rolesCommand,
  },
  migrate: {
    usage: [['migrate', 'create or upgrade the database named by DATABASE_URL']],
    load: async () => (await import('./commands/migrate.ts')).migrateCommand,
  },
  backup: {
    usage: [['backup <file> [--json]', 'a consistent copy of the database, safe while the bot runs']],
    load: async () => (await import('./commands/backup.ts')).backupCommand,
  },
  db: {
    usage: [['db copy --to <postgres-url>', 'copy the SQLite database into an empty PostgreSQL one']],
    load: async () => (await import('./commands/db.ts')).dbCommand,
  },
  classify: {
    usage: [['classify <text> | --jsonl', 'the chain, confidence and flags for a request']],
    load: async () => (await import('./commands/classify.ts')).classifyWithCorrections,
  },
  corrections: {
    usage: [
      ['corrections export', "the classifier's learned corrections as JSONL"],
      ['corrections import <file|->', 'add corrections from JSONL'],
    ],
    load: async () => (await import('./commands/corrections.ts')).correctionsCommand,
  },
  digest: {
    usage: [['digest --dry-run daily|weekly', 'print the digest that would be posted']],
    load: async () => (await import('./commands/reports.ts')).digestCommand,
  },
  metrics: {
    usage: [
      ['metrics [--json]', 'per chain: runs, average and p90 duration, success rate, improvements'],
      ['metrics --chart <file>', "the weekly digest's chart of the last eight weeks, as PNG"],
    ],
    load: async () => (await import('./commands/reports.ts')).metricsCommand,
  },
  tokens: {
    usage: [
      ['tokens create <name> --as <UserID>', 'an API/MCP token acting as that Slack user (printed once)'],
      ['tokens create <name> --alerts', 'a token that may only post monitoring alerts'],
      ['tokens list [--json]', 'the tokens: name, user, created, last used'],
      ['tokens revoke <name>', 'the token stops working'],
    ],
    load: async () => (await import('./commands/tokens.ts')).tokensCommand,
  },
  webhooks: {
    usage: [
      [
        'webhooks add <url> --as <UserID>|--all',
        "events about that user's steps, or all (secret printed once)",
      ],
      ['webhooks list [--json]', 'the subscriptions, active or paused'],
      ['webhooks remove <id>', 'no more events to it'],
      ['webhooks resume <id>', 'a paused subscription gets events again'],
    ],
    load: async () => (await import('./commands/webhooks.ts')).webhooksCommand,
  },
  mcp: {
    usage: [['mcp --token <token>', 'the MCP server over stdio, acting as the token']],
    load: async () => (await import('./commands/mcp.ts')).mcpCommand,
  },
  postmortem: {
    usage: [['postmortem <RUN-ID>', 'the post-mortem draft of an incident, as Markdown']],
    load: async () => (await import('./commands/reports.ts')).postmortemCommand,
  },
};

/** The syntax column: as wide as the longest syntax, and two spaces before what it does. */
const USAGE_WIDTH =
  Math.max(...Object.values(COMMANDS).flatMap((c) => c.usage.map(([syntax]) => syntax.length))) + 2;

const USAGE = [
  'usage: projectlead <command>',
  ...Object.values(COMMANDS).flatMap((c) =>
    c.usage.map(([syntax, does]) => `  ${syntax.padEnd(USAGE_WIDTH)}${does}`),
  ),
].join('\n');

export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  let env: CliIo['env'];
  try {
    // The same settings as the bot: the environment over the `.env` file.
    env = io.env ?? readEnvironment();
  } catch (err) {
    stderr.write(`projectlead: ${(err as Error).message}\n`);
    return 1;
  }
  const full: CliIo = {
    stdin: io.stdin ?? process.stdin,
    stdout: io.stdout ?? process.stdout,
    stderr,
    env,
  };
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    full.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    full.stderr.write(`projectlead: unknown command "${name}"\n${USAGE}\n`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command(args, full);
  } catch (err) {
    if (err instanceof Error) {
      full.stderr.write(`projectlead: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
