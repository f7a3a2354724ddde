// The clock verbs owners and Privacy use: snooze a step's reminders, record the GDPR
// notification. Each validates, checks who acts, and changes state in one transaction that
// also writes the event log and the outbox; a refusal changes nothing and is recorded.
import type { RoleDirectory } from '../../../routing/roles.ts';
import type { Clock } from '../../core/clock.ts';
import type { Actor } from '../../domain/types.ts';
import type { Store } from '../../persistence/ports.ts';
import { inVerbTransaction, roleHolders } from '../verb-transaction.ts';
import type { ClockVerbContext } from './clock-verb-context.ts';
import { type GdprNotificationResult, recordGdprNotification } from './record-gdpr-notification.ts';
import { type SnoozeResult, snoozeStep } from './snooze-step.ts';

export interface ClockServiceDeps {
  store: Store;
  directory: RoleDirectory;
  clock: Clock;
}

export function createClockService(deps: ClockServiceDeps) {
  function inTransaction<T>(
    runId: string,
    actor: Actor,
    verb: string,
    fn: (ctx: ClockVerbContext) => Promise<T>,
  ): Promise<T> {
    return inVerbTransaction(deps, { runId, actor, verb }, async (repos, now) => {
      const holdersOf = await roleHolders(repos, deps.directory);
      return fn({ repos, actor, directory: deps.directory, now, holdersOf });
    });
  }

  return {
    /** An owner (or an admin) pushes the step's reminders `minutes` from now. */
    snoozeStep(runId: string, actor: Actor, stepKey: string, minutes: number): Promise<SnoozeResult> {
      return inTransaction(runId, actor, 'snooze', (ctx) => snoozeStep(ctx, { runId, stepKey, minutes }));
    },
    /** Privacy records that the authority was notified: the GDPR clock stops. */
    recordGdprNotification(
      runId: string,
      actor: Actor,
      input: { note?: string | null } = {},
    ): Promise<GdprNotificationResult> {
      return inTransaction(runId, actor, 'gdpr_notification', (ctx) =>
        recordGdprNotification(ctx, { runId, note: input.note ?? null }),
      );
    },
  };
}

export type ClockService = ReturnType<typeof createClockService>;
