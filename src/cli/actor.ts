// The CLI's own actor: the operator at a terminal on the bot's database. Whoever can open the
// database may do anything to it, so the operator acts as an admin, named `cli` in the log.
import type { Actor } from '../domain/types.ts';

export const CLI_USER_ID = 'cli';

export function cliActor(): Actor {
  return {
    kind: 'cli',
    userId: CLI_USER_ID,
    principals: [CLI_USER_ID],
    isAdmin: true,
    roles: [],
    label: 'projectlead CLI',
  };
}
