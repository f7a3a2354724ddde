// What every state-changing verb on a run shares (the run verbs and the clock verbs): the actor
// read inside the transaction, one retry when another process wrote first, and a refusal that
// rolls back yet is recorded, in a transaction of its own, as a `refused` event.
import type { RoleDirectory } from '../../routing/roles.ts';
import type { Actor } from '../domain/types.ts';
import { ConflictError, RefusedError } from '../errors.ts';
import type { Repositories, Store } from '../persistence/store.ts';
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
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.store.transaction(async (repos) =>
        fn(repos, await actorFor(repos, who.userId, deps.adminUserIds), deps.clock()),
      );
    } catch (err) {
      if (err instanceof ConflictError && attempt === 0) continue;
      if (err instanceof RefusedError) await recordRefusal(deps, who, err);
      throw err;
    }
  }
}

async function recordRefusal(
  deps: VerbDeps,
  who: { runId: string; userId: string; verb: string },
  err: RefusedError,
): Promise<void> {
  await deps.store.transaction(async (repos) => {
    await repos.events.append([
      {
        runId: who.runId,
        at: deps.clock(),
        actor: who.userId,
        type: 'refused',
        stepKey: (err.details.stepKey as string | null) ?? null,
        data: { action: who.verb, code: err.code, reason: err.message },
      },
    ]);
  });
}
