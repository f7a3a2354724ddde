// What the listeners are given: the services they call, the Slack client and a few adapters.
// No database, no store: listeners reach state only through the services.
import type { WebClient } from '@slack/web-api';
import type { Playbook } from '../routing/playbooks/schema.ts';
import type { Logger } from '../src/logger.ts';
import type { ClockService } from '../src/services/clocks/clock-service.ts';
import type { DigestRequestResult } from '../src/services/clocks/digest-service.ts';
import type { MetricsReport } from '../src/services/clocks/metrics.ts';
import type { PostmortemService } from '../src/services/clocks/postmortem.ts';
import type { DeliveryService } from '../src/services/delivery-service.ts';
import type { RequestService } from '../src/services/request-service.ts';
import type { RoleService } from '../src/services/role-service.ts';
import type { RunService } from '../src/services/run-service.ts';

export interface Reports {
  /** Per chain: runs, average duration, success rate; MTTR for SEV1 and SEV2. */
  metrics(): Promise<MetricsReport>;
  /** `/lead digest`: an admin posts it now to DIGEST_CHANNEL; anyone else sees it alone. */
  digest(kind: 'daily' | 'weekly', requestedBy: string): Promise<DigestRequestResult>;
}

export interface HandlerDeps {
  runs: RunService;
  roles: RoleService;
  requests: RequestService;
  /** Snoozing a step's reminders, recording the GDPR notification. */
  clocks: ClockService;
  postmortems: PostmortemService;
  /** The bot joined a channel; what Slack refused of a run's messages. */
  deliveries: DeliveryService;
  playbooks: readonly Playbook[];
  /** The bot's Web API client (SLACK_API_URL). */
  slack: WebClient;
  logger: Logger;
  /** Who is in a user group, asked of Slack: null when there is no such group. */
  lookupUsergroup(groupId: string): Promise<string[] | null>;
  reports: Reports;
}
