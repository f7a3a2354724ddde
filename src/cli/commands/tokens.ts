// `projectlead tokens create <name> --as <SlackUserID> | --alerts`, `tokens list`, `tokens revoke
// <name>`: the bearer tokens of the HTTP API and the MCP server. A new token is printed once;
// only its hash is stored.
import { type CliCommand, print, withCore } from '../io.ts';

const USAGE =
  'usage: projectlead tokens create <name> --as <SlackUserID> | --alerts [--json]; tokens list [--json]; tokens revoke <name>';

/** The value after a flag (`--as U123`), or undefined. */
export function flagValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const tokensCommand: CliCommand = (args, io) => {
  const [sub, name] = args;
  const json = args.includes('--json');
  if (sub === 'create') {
    const as = flagValue(args, '--as');
    const alerts = args.includes('--alerts');
    if (!name || name.startsWith('--') || (as === undefined) === !alerts) {
      io.stderr.write(`${USAGE}\n`);
      return Promise.resolve(2);
    }
    return withCore(io, async (core) => {
      const { token, record } = await core.tokens.create(
        name,
        alerts ? { kind: 'alerts' } : { kind: 'user', userId: as! },
      );
      if (json) print(io, JSON.stringify({ name, token, user: record.userId, kind: record.kind }));
      else {
        print(io, token);
        io.stderr.write(
          `Token "${name}" (${alerts ? 'alerts only' : `acts as ${as}`}). It is shown this once; only its hash is kept.\n`,
        );
      }
      return 0;
    });
  }
  if (sub === 'list')
    return withCore(io, async (core) => {
      const tokens = (await core.tokens.list()).map((t) => ({
        name: t.name,
        user: t.userId,
        kind: t.kind,
        createdAt: iso(t.createdAt),
        lastUsedAt: iso(t.lastUsedAt),
      }));
      if (json) print(io, JSON.stringify(tokens, null, 2));
      else if (tokens.length === 0) print(io, 'No tokens.');
      else
        for (const t of tokens)
          print(
            io,
            `${t.name.padEnd(24)} ${(t.user ?? '(alerts)').padEnd(12)} created ${t.createdAt}  last used ${t.lastUsedAt ?? 'never'}`,
          );
      return 0;
    });
  if (sub === 'revoke' && name)
    return withCore(io, async (core) => {
      await core.tokens.revoke(name);
      print(io, `Revoked "${name}".`);
      return 0;
    });
  io.stderr.write(`${USAGE}\n`);
  return Promise.resolve(2);
};
