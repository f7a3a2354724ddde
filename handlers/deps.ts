// What the listeners are given: the services they call, the Slack client and a few adapters.
// No database, no store: listeners reach state only through the services.
import type { WebClient } from '@slack/web-api';
import type { Playbook } from '../routing/playbooks/schema.ts';
import type { Run } from '../src/domain/types.ts';
import type { Logger } from '../src/logger.ts';
import type { RequestService } from '../src/services/request-service.ts';
import type { RoleService } from '../src/services/role-service.ts';
import type { RunService } from '../src/services/run-service.ts';
import type { ChainMetrics } from '../src/slack/blocks/index.ts';

export interface Reports {
  /** Per chain: runs, average duration, success rate. */
  metrics(): Promise<ChainMetrics[]>;
  /** Post the digest now to DIGEST_CHANNEL; says what was done. */
  postDigest?(kind: 'daily' | 'weekly', requestedBy: string): Promise<string>;
}

export interface HandlerDeps {
  runs: RunService;
  roles: RoleService;
  requests: RequestService;
  playbooks: readonly Playbook[];
  /** The bot's Web API client (SLACK_API_URL). */
  slack: WebClient;
  logger: Logger;
  /** Refresh the cached members of these user groups (a role was given to them). */
  refreshUsergroups(groupIds: string[]): Promise<void>;
  /** Resolves with the run once its root message is in Slack (the outbox posted it). */
  whenPosted(runId: string): Promise<Run>;
  reports: Reports;
}
