// Building the Actor: each surface names who acts (a Slack user, the CLI's operator) and the
// core adds what it knows: the user groups they belong to, the roles they hold, admin or not.
// Verbs take the Actor as given; none builds one from a raw user ID.
import type { RoleDirectory } from '../../routing/roles.ts';
import type { Actor, ActorKind } from '../domain/types.ts';
import type { Store } from '../persistence/ports.ts';
import { roleHolders } from '../services/verb-transaction.ts';

export type { Actor, ActorKind };

/** Who a surface says acts. */
export interface ActorIdentity {
  kind: ActorKind;
  userId: string;
  label?: string;
}

export interface ActorsDeps {
  store: Store;
  directory: RoleDirectory;
  adminUserIds: ReadonlySet<string>;
}

export function createActors(deps: ActorsDeps) {
  return {
    async resolve(who: ActorIdentity): Promise<Actor> {
      // Two reads at once: on a server database, two connections and one round trip's wait.
      const [groups, holders] = await Promise.all([
        deps.store.read.usergroups.groupsOf(who.userId),
        roleHolders(deps.store.read, deps.directory),
      ]);
      const principals = [who.userId, ...groups];
      return {
        kind: who.kind,
        userId: who.userId,
        principals,
        isAdmin: deps.adminUserIds.has(who.userId),
        roles: deps.directory.names.filter((r) => holders(r).some((p) => principals.includes(p))),
        label: who.label ?? who.userId,
      };
    },
  };
}

export type Actors = ReturnType<typeof createActors>;
