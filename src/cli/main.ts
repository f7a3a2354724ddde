// `projectlead <command>`: the operator's view of the same database the bot uses.
// With --json a command prints JSON alone on stdout; logs and errors go to stderr.
import { loadPlaybooks } from '../../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../../routing/roles.ts';
import { loadCoreConfig, readEnvironment } from '../config.ts';
import { type Core, createCore } from '../core.ts';
import { openStore } from '../persistence/open.ts';
import { cliActor } from './actor.ts';
import { ownerLabel, playbookJson, runJson } from './json.ts';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

const USAGE = `usage: projectlead <command>
  runs [--json]                     all runs with their steps and events
  playbooks [--json]                the loaded chains
  playbooks validate <dir>          check every playbook file in a folder
  roles [--json]                    who holds each role, and their escalation path
  migrate                           create or upgrade the database named by DATABASE_URL
  backup <file> [--json]            a consistent copy of the database, safe while the bot runs
  classify <text> | --jsonl         the chain, confidence and flags for a request
  corrections export                the classifier's learned corrections as JSONL
  corrections import <file|->       add corrections from JSONL
  digest --dry-run daily|weekly     print the digest that would be posted
  metrics [--json]                  per-chain count, average duration, success rate
  postmortem <RUN-ID>               the post-mortem draft of an incident, as Markdown`;

export const print = (io: CliIo, text: string) => io.stdout.write(`${text}\n`);

/** Run `fn` on the core (database, playbooks, services), closed again whatever happens. */
export async function withCore(io: CliIo, fn: (core: Core) => Promise<number>): Promise<number> {
  const core = await createCore(loadCoreConfig(io.env));
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

const commands: Record<string, CliCommand> = {
  async runs(args, io) {
    return withCore(io, async (core) => {
      const runs = await core.store.read.runs.list();
      const events = await core.store.read.events.forRuns(runs.map((r) => r.id));
      const out = runs.map((r) => runJson(r, events.get(r.id) ?? []));
      if (args.includes('--json')) print(io, JSON.stringify(out, null, 2));
      else {
        for (const r of out) {
          const current = r.steps.find((s) => s.status === 'active' || s.status === 'blocked');
          print(
            io,
            `${r.id.padEnd(9)} ${r.status.padEnd(9)} ${r.chain.padEnd(13)} ${r.title}${current ? `  [${current.title}: ${current.status}]` : ''}`,
          );
        }
        if (out.length === 0) print(io, 'No runs yet.');
      }
      return 0;
    });
  },

  async playbooks(args, io) {
    const config = loadCoreConfig(io.env);
    const directory = loadRoleDirectory(config.ROLES_FILE);
    const knownRoles = new Set(directory.names);
    if (args[0] === 'validate') {
      const dir = args[1];
      if (!dir) {
        io.stderr.write('usage: projectlead playbooks validate <dir>\n');
        return 2;
      }
      const loaded = loadPlaybooks({ dirs: [dir], knownRoles });
      print(io, `${loaded.length} playbook(s) valid in ${dir}: ${loaded.map((p) => p.id).join(', ')}`);
      return 0;
    }
    const { BUILTIN_PLAYBOOKS_DIR } = await import('../../routing/playbooks/load.ts');
    const dirs = [BUILTIN_PLAYBOOKS_DIR, ...(config.PLAYBOOKS_DIR ? [config.PLAYBOOKS_DIR] : [])];
    const playbooks = loadPlaybooks({ dirs, knownRoles });
    if (args.includes('--json')) print(io, JSON.stringify(playbooks.map(playbookJson), null, 2));
    else {
      for (const p of playbooks) {
        print(io, `${p.title} (${p.id}, /lead ${p.command}, ${p.prefix}-n): ${p.steps.length} steps`);
        p.steps.forEach((s, i) =>
          print(io, `  ${i + 1}. ${s.title}: ${[...s.owners, ...s.approvers].map(ownerLabel).join(' → ')}`),
        );
      }
    }
    return 0;
  },

  async roles(args, io) {
    return withCore(io, async (core) => {
      const roles = await core.verbs.list_roles({ actor: cliActor(), input: {} });
      if (args.includes('--json')) print(io, JSON.stringify(roles, null, 2));
      else {
        for (const r of roles) {
          const held = r.holders.length > 0 ? r.holders.join(', ') : '(nobody)';
          print(
            io,
            `${r.role.padEnd(16)} ${held.padEnd(24)} escalates to ${r.escalation.join(' → ') || '(nobody)'}`,
          );
        }
      }
      return 0;
    });
  },

  async migrate(_args, io) {
    const config = loadCoreConfig(io.env);
    const store = await openStore(config.DATABASE_URL);
    await store.close();
    io.stderr.write(`Database ready: ${store.location}\n`);
    return 0;
  },

  async backup(args, io) {
    const { backupCommand } = await import('./backup-command.ts');
    return backupCommand(args, io);
  },

  async classify(args, io) {
    const { classifyCommand } = await import('./classify-command.ts');
    return withCore(io, async (core) => {
      const { isChainId } = await import('../../routing/classifier/index.ts');
      const corrections = (await core.store.read.corrections.all()).flatMap((c) =>
        isChainId(c.chain) ? [{ text: c.text, chain: c.chain, at: c.createdAt }] : [],
      );
      return await classifyCommand(args, io, corrections);
    });
  },

  async corrections(args, io) {
    const { formatCorrectionsJsonl, isChainId, parseCorrectionsJsonl } = await import(
      '../../routing/classifier/index.ts'
    );
    return withCore(io, async (core) => {
      if (args[0] === 'export') {
        const all = (await core.store.read.corrections.all()).flatMap((c) =>
          isChainId(c.chain) && (c.predicted === null || isChainId(c.predicted))
            ? [{ text: c.text, chain: c.chain, predicted: c.predicted, at: c.createdAt }]
            : [],
        );
        io.stdout.write(formatCorrectionsJsonl(all));
        return 0;
      }
      if (args[0] === 'import' && args[1]) {
        const { readFileSync } = await import('node:fs');
        const text = args[1] === '-' ? await readAll(io.stdin) : readFileSync(args[1], 'utf8');
        const parsed = parseCorrectionsJsonl(text);
        await core.store.transaction(async (repos) => {
          for (const c of parsed) {
            await repos.corrections.insert({
              text: c.text,
              chain: c.chain,
              predicted: c.predicted ?? null,
              actor: 'import',
              createdAt: c.at ?? core.clock(),
            });
          }
        });
        io.stderr.write(`Imported ${parsed.length} correction(s).\n`);
        return 0;
      }
      io.stderr.write('usage: projectlead corrections export | corrections import <file|->\n');
      return 2;
    });
  },
};

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

/** Other modules add commands here (digest, metrics, postmortem). */
export function registerCommand(name: string, command: CliCommand): void {
  commands[name] = command;
}

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
  await import('./extra-commands.ts');
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    full.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    full.stderr.write(`projectlead: unknown command "${name}"\n${USAGE}\n`);
    return 2;
  }
  try {
    return await command(args, full);
  } catch (err) {
    if (err instanceof Error) {
      full.stderr.write(`projectlead: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
