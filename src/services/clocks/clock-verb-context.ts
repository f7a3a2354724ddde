// What a clock verb (snooze, GDPR notification) gets: the transaction's repositories, the actor,
// now. Its own module, so the verbs and the service that runs them do not import each other.
import type { RoleDirectory } from '../../../routing/roles.ts';
import type { Actor } from '../../domain/types.ts';
import type { Repositories } from '../../persistence/ports.ts';

export interface ClockVerbContext {
  repos: Repositories;
  actor: Actor;
  directory: RoleDirectory;
  now: number;
  holdersOf(role: string): string[];
}
