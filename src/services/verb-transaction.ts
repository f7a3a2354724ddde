// What every state-changing verb shares (the run verbs, the clock verbs, role set, chain
// choice): one transaction, one retry when another process wrote first, and a refusal that
// rolls back yet is recorded as a `refused` event (refusals.ts). The actor comes built from the
// surface's edge (src/core/actor.ts); who may act is decided by the domain policy.
import type { RoleDirectory } from '../../routing/roles.ts';
import type { Clock } from '../core/clock.ts';
import type { Actor } from '../domain/types.ts';
import { AlreadyActedError, ConflictError } from '../errors.ts';
import type { Repositories, Store } from '../persistence/ports.ts';
import { recordingRefusals } from './refusals.ts';

export interface VerbDeps {
  store: Store;
  clock: Clock;
}

/** Who holds each role now: whoever an admin set, else the role directory's defaults. */
export async function roleHolders(
  repos: Repositories,
  directory: RoleDirectory,
): Promise<(role: string) => string[]> {
  const held = await repos.roles.all();
  return (role) => held.get(role) ?? directory.defaultHolders(role);
}

/** Who acts and what: kept with a refusal. */
export interface VerbCall {
  actor: Actor;
  /** The action, as refusal events name it (`complete`, `role_set`, …). */
  verb: string;
  runId?: string | null;
  data?: Record<string, unknown>;
}

/**
 * Tries of a verb whose write conflicted: a run counting a storm of alerts moves on hundreds of
 * times a second on PostgreSQL, and a person's action there may meet that more than once.
 */
const CONFLICT_TRIES = 3;

/** Actors (one per delivery) whose `once` key a committed transaction has stored. */
const claimedOnce = new WeakSet<Actor>();

/**
 * Run one verb in one transaction. A refusal rolls back and is recorded; a conflicting write by
 * another process (another replica, or an alert counted on the run meanwhile) is retried on fresh
 * state, up to CONFLICT_TRIES tries in all. An actor's `once` key is
 * claimed first: a delivery acted on already throws `AlreadyActedError` and changes nothing.
 */
export async function inVerbTransaction<T>(
  deps: VerbDeps,
  call: VerbCall,
  fn: (repos: Repositories, now: number) => Promise<T>,
): Promise<T> {
  const { actor } = call;
  // A delivery acted on once: its key is stored with the action (its first transaction that
  // commits; a verb's later transactions are the same action), or it was acted on already.
  const once = actor.once && !claimedOnce.has(actor) ? actor.once : null;
  return withRefusalsRecorded(deps, call, async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await deps.store.transaction(async (repos) => {
          const now = deps.clock();
          if (once && !(await repos.idempotency.claim([once], now)).claimed)
            throw new AlreadyActedError(once);
          return fn(repos, now);
        });
        if (once) claimedOnce.add(actor);
        return out;
      } catch (err) {
        if (err instanceof ConflictError && attempt + 1 < CONFLICT_TRIES) continue;
        throw err;
      }
    }
  });
}

/** Run a check or a verb outside a transaction; a refusal it throws is recorded. */
export function withRefusalsRecorded<T>(deps: VerbDeps, call: VerbCall, fn: () => Promise<T>): Promise<T> {
  return recordingRefusals(
    deps,
    {
      actor: call.actor.userId,
      action: call.verb,
      ...(call.runId !== undefined ? { runId: call.runId } : {}),
      // A refusal through an API or MCP token names the token, as its actions do.
      ...(call.data || call.actor.kind === 'api_user'
        ? { data: { ...call.data, ...(call.actor.kind === 'api_user' ? { token: call.actor.label } : {}) } }
        : {}),
    },
    fn,
  );
}
