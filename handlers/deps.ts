// What the listeners are given: the verb table bound to the core, the Actor of a request (built
// at Slack's edge), the Slack client and a few adapters. No database, no store, no service:
// listeners reach state only through verbs.
import type { WebClient } from '@slack/web-api';
import type { Playbook } from '../routing/playbooks/schema.ts';
import type { Actor } from '../src/domain/types.ts';
import type { Logger } from '../src/logger.ts';
import type { DeliveryService } from '../src/services/delivery-service.ts';
import type { Verbs } from '../src/services/verbs.ts';
import type { AnswerLimit } from '../src/slack/answer-limit.ts';

/** App Home and `/lead metrics` show the runs closed in the last 30 days. */
export const METRICS_DAYS = 30;

export interface HandlerDeps {
  verbs: Verbs;
  /** Who sent this Slack request, as the verbs take it. */
  actorOf(body: unknown): Promise<Actor>;
  /** The chain a `/lead` word names (`feature`, `change`…), or null. */
  chainForCommand(word: string): string | null;
  /** The bot joined a channel; what Slack refused of a run's messages. */
  deliveries: DeliveryService;
  playbooks: readonly Playbook[];
  /** The bot's Web API client (SLACK_API_URL). */
  slack: WebClient;
  logger: Logger;
  /** How many answers one author gets in one thread (the loop guard). */
  answers: AnswerLimit;
  /** Resolves once the workspace URL (the base of digest links) is known, or cannot be. */
  workspaceKnown(): Promise<void>;
}
