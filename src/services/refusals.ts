// Every refusal is a `refused` event in the events log, recorded in one place. A verb that
// refuses rolls its own transaction back; the refusal is then written in a transaction of its
// own, once, whoever catches it first (the service that refused, or the Slack error handler for
// a refusal no service recorded).

import type { Clock } from '../core/clock.ts';
import { RefusedError } from '../errors.ts';
import type { Store } from '../persistence/ports.ts';

export interface RefusalDeps {
  store: Store;
  clock: Clock;
}

/** Who was refused what; the run and step default to those the refusal names. */
export interface Refused {
  actor: string;
  /** The verb or action refused: `complete`, `unblock`, `role_set`, `choose_chain`, … */
  action: string;
  runId?: string | null;
  stepKey?: string | null;
  /** More to keep with the event (the role asked for, …). */
  data?: Record<string, unknown>;
}

const recorded = new WeakSet<RefusedError>();

/** Whether this refusal is in the events log already. */
export const isRecorded = (err: RefusedError): boolean => recorded.has(err);

/** Writes the refusal as a `refused` event, once per error. */
export async function recordRefusal(deps: RefusalDeps, who: Refused, err: RefusedError): Promise<void> {
  if (recorded.has(err)) return;
  recorded.add(err);
  const named = (key: string): string | null => {
    const v = err.details[key];
    return typeof v === 'string' ? v : null;
  };
  await deps.store.transaction((repos) =>
    repos.events.append([
      {
        runId: who.runId ?? named('runId'),
        at: deps.clock(),
        actor: who.actor,
        type: 'refused',
        stepKey: who.stepKey ?? named('stepKey'),
        data: { ...who.data, action: who.action, code: err.code, reason: err.message },
      },
    ]),
  );
}

/** Runs `fn`; a refusal it throws is recorded, then thrown on. */
export async function recordingRefusals<T>(
  deps: RefusalDeps,
  who: Refused,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RefusedError) await recordRefusal(deps, who, err);
    throw err;
  }
}
