// What every state-changing verb on a run shares (the run verbs and the clock verbs): the actor
// read inside the transaction, one retry when another process wrote first, and a refusal that
// rolls back yet is recorded as a `refused` event (refusals.ts).
import type { RoleDirectory } from '../../routing/roles.ts';
import type { Actor } from '../domain/types.ts';
import { ConflictError } from '../errors.ts';
import type { Repositories, Store } from '../persistence/ports.ts';
import { recordingRefusals } from './refusals.ts';
import type { Clock } from './run-service.ts';

export interface VerbDeps {
  store: Store;
  clock: Clock;
  adminUserIds: ReadonlySet<string>;
}

/** Who acts: the user and the user groups they belong to, and whether they are an admin. */
export async function actorFor(
  repos: Repositories,
  userId: string,
  adminUserIds: ReadonlySet<string>,
): Promise<Actor> {
  const groups = await repos.usergroups.groupsOf(userId);
  return { userId, principals: [userId, ...groups], isAdmin: adminUserIds.has(userId) };
}

/** Who holds each role now: whoever an admin set, else the role directory's defaults. */
export async function roleHolders(
  repos: Repositories,
  directory: RoleDirectory,
): Promise<(role: string) => string[]> {
  const held = await repos.roles.all();
  return (role) => held.get(role) ?? directory.defaultHolders(role);
}

/**
 * Run one verb by `userId` on `runId` in one transaction. A refusal rolls back and is recorded;
 * a conflicting write by another process (another replica) is retried once on fresh state.
 */
export async function inVerbTransaction<T>(
  deps: VerbDeps,
  who: { runId: string; userId: string; verb: string },
  fn: (repos: Repositories, actor: Actor, now: number) => Promise<T>,
): Promise<T> {
  return recordingRefusals(deps, { actor: who.userId, action: who.verb, runId: who.runId }, async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await deps.store.transaction(async (repos) =>
          fn(repos, await actorFor(repos, who.userId, deps.adminUserIds), deps.clock()),
        );
      } catch (err) {
        if (err instanceof ConflictError && attempt === 0) continue;
        throw err;
      }
    }
  });
}
