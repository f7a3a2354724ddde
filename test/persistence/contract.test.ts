// The repository contract suite, run against every SQLite backend: a migrated temporary file
// (and a second connection to it, as a second process) and an in-memory database.
import { sqliteBackends } from './contract/backend.ts';
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

for (const backend of sqliteBackends) {
  describeStoreContract(backend);
  describeRunRepositoryContract(backend);
  describeEventRepositoryContract(backend);
  describeOutboxRepositoryContract(backend);
  describeOutboxDeliveryContract(backend);
  describeRoleRepositoryContract(backend);
  describeUsergroupRepositoryContract(backend);
  describeTimerRepositoryContract(backend);
  describeDigestRepositoryContract(backend);
  describeIdempotencyRepositoryContract(backend);
  describePendingRequestRepositoryContract(backend);
  describeCorrectionRepositoryContract(backend);
  describeSettingsRepositoryContract(backend);
  describeClockTimerQueriesContract(backend);
  describeClockReportQueriesContract(backend);
  describeChainReportQueriesContract(backend);
  describeConcurrentClaimsContract(backend);
}
