// What a clock verb (snooze, GDPR notification) gets: the transaction's repositories, the actor,
// now. Its own module, so the verbs and the service that runs them do not import each other.
import type { RoleDirectory } from '../../../routing/roles.ts';
import type { Actor } from '../../domain/types.ts';
import type { ClockQueries } from '../../persistence/reporting.ts';
import type { Repositories } from '../../persistence/store.ts';

export interface ClockVerbContext {
  repos: Repositories;
  queries: ClockQueries;
  actor: Actor;
  directory: RoleDirectory;
  now: number;
  holdersOf(role: string): string[];
}
