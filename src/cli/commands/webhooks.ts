// `projectlead webhooks add <url> --as <SlackUserID> | --all [--owner <SlackUserID>]`,
// `webhooks list`, `webhooks remove <id>`, `webhooks resume <id>`: where webhook events go. A new
// subscription's signing secret is printed once.
import { ValidationError } from '../../errors.ts';
import { type CliCommand, print, withCore } from '../io.ts';
import { flagValue } from './tokens.ts';

const USAGE =
  'usage: projectlead webhooks add <url> --as <SlackUserID> | --all [--owner <SlackUserID>] [--json]; webhooks list [--json]; webhooks remove <id>; webhooks resume <id>';

function idOf(arg: string | undefined): number {
  if (!arg || !/^\d+$/.test(arg))
    throw new ValidationError('bad_input', `"${arg ?? ''}" is not a webhook id.`);
  return Number(arg);
}

export const webhooksCommand: CliCommand = (args, io) => {
  const [sub, arg] = args;
  const json = args.includes('--json');
  if (sub === 'add') {
    const as = flagValue(args, '--as');
    const all = args.includes('--all');
    if (!arg || arg.startsWith('--') || (as === undefined) === !all) {
      io.stderr.write(`${USAGE}\n`);
      return Promise.resolve(2);
    }
    return withCore(io, async (core) => {
      const sub = await core.webhooks.add({
        url: arg,
        userId: all ? null : as!,
        owner: flagValue(args, '--owner') ?? null,
      });
      if (json) print(io, JSON.stringify(sub));
      else {
        print(io, `${sub.id} ${sub.secret}`);
        io.stderr.write(
          `Webhook ${sub.id}: ${all ? 'every event' : `events about ${as}'s steps`} to ${sub.url}. The signing secret is shown this once.\n`,
        );
      }
      return 0;
    });
  }
  if (sub === 'list')
    return withCore(io, async (core) => {
      const list = (await core.webhooks.list()).map(({ secret: _secret, ...s }) => ({
        ...s,
        createdAt: new Date(s.createdAt).toISOString(),
        pausedAt: s.pausedAt === null ? null : new Date(s.pausedAt).toISOString(),
      }));
      if (json) print(io, JSON.stringify(list, null, 2));
      else if (list.length === 0) print(io, 'No webhooks.');
      else
        for (const s of list)
          print(
            io,
            `${String(s.id).padEnd(4)} ${s.status.padEnd(7)} ${(s.userId ?? 'all').padEnd(12)} ${s.url}${s.lastError ? `  (${s.lastError})` : ''}`,
          );
      return 0;
    });
  if (sub === 'remove' || sub === 'resume')
    return withCore(io, async (core) => {
      const id = idOf(arg);
      if (sub === 'remove') await core.webhooks.remove(id);
      else await core.webhooks.resume(id);
      print(io, `Webhook ${id} ${sub === 'remove' ? 'removed' : 'resumed'}.`);
      return 0;
    });
  io.stderr.write(`${USAGE}\n`);
  return Promise.resolve(2);
};
