// The repository contract suite, run against every backend: a migrated temporary SQLite file
// (and a second connection to it, as a second process), an in-memory SQLite database, and a
// fresh PostgreSQL database (and a second pool on it) when the run has a server.

import { describePostgres } from '../support/postgres.ts';
import { describeAgentRepositoriesContract } from './contract/agents.ts';
import { describeAlertRepositoryContract } from './contract/alerts.ts';
import { type Backend, postgresBackend, sqliteBackends } from './contract/backend.ts';
import { describeChainReportQueriesContract } from './contract/chain-reports.ts';
import { describeClockReportQueriesContract } from './contract/clock-reports.ts';
import { describeClockTimerQueriesContract } from './contract/clock-timers.ts';
import { describeConcurrentClaimsContract } from './contract/concurrency.ts';
import { describeCorrectionRepositoryContract } from './contract/corrections.ts';
import { describeDigestRepositoryContract } from './contract/digests.ts';
import { describeEventRepositoryContract } from './contract/events.ts';
import { describeIdempotencyRepositoryContract } from './contract/idempotency.ts';
import { describeOutboxRepositoryContract } from './contract/outbox.ts';
import { describeOutboxDeliveryContract } from './contract/outbox-delivery.ts';
import { describePendingRequestRepositoryContract } from './contract/pending.ts';
import { describeRoleRepositoryContract } from './contract/roles.ts';
import { describeRunRepositoryContract } from './contract/runs.ts';
import { describeSettingsRepositoryContract } from './contract/settings.ts';
import { describeStoreContract } from './contract/store.ts';
import { describeTimerRepositoryContract } from './contract/timers.ts';
import { describeUsergroupRepositoryContract } from './contract/usergroups.ts';

function describeContract(backend: Backend) {
  describeStoreContract(backend);
  describeRunRepositoryContract(backend);
  describeEventRepositoryContract(backend);
  describeOutboxRepositoryContract(backend);
  describeOutboxDeliveryContract(backend);
  describeRoleRepositoryContract(backend);
  describeUsergroupRepositoryContract(backend);
  describeTimerRepositoryContract(backend);
  describeDigestRepositoryContract(backend);
  describeAlertRepositoryContract(backend);
  describeIdempotencyRepositoryContract(backend);
  describePendingRequestRepositoryContract(backend);
  describeCorrectionRepositoryContract(backend);
  describeSettingsRepositoryContract(backend);
  describeClockTimerQueriesContract(backend);
  describeClockReportQueriesContract(backend);
  describeChainReportQueriesContract(backend);
  describeConcurrentClaimsContract(backend);
  describeAgentRepositoriesContract(backend);
}

for (const backend of sqliteBackends) describeContract(backend);
describePostgres('on PostgreSQL', () => describeContract(postgresBackend));
