// `projectlead roles [--json]`: who holds each role, and their escalation path.
import { cliActor } from '../actor.ts';
import { type CliCommand, print, withCore } from '../io.ts';

export const rolesCommand: CliCommand = (args, io) =>
  withCore(io, async (core) => {
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
