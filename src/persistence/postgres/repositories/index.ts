// Every repository of the port on the pool (reads) or on one transaction's connection.
import type { Repositories } from '../../ports.ts';
import type { PgOrm } from '../database.ts';
import type { PgQueryable } from '../statements.ts';
import { PgApiRequestRepository, PgApiTokenRepository, PgWebhookRepository } from './agents.ts';
import { PgAlertRepository } from './alerts.ts';
import { PgClockRepository } from './clock.ts';
import { PgDigestRepository } from './digests.ts';
import { PgEventRepository } from './events.ts';
import { PgIdempotencyRepository } from './idempotency.ts';
import { PgOutboxRepository } from './outbox.ts';
import { PgCorrectionRepository, PgPendingRequestRepository } from './pending.ts';
import { PgReportRepository } from './reports.ts';
import { PgRunRepository } from './runs.ts';
import { PgRoleRepository, PgSettingsRepository, PgUsergroupRepository } from './settings.ts';
import { PgTimerRepository } from './timers.ts';

/** The repositories on `orm`, and the named statements of the hot path on `db`, the same connection or pool. */
export function pgRepositories(orm: PgOrm, db: PgQueryable): Repositories {
  return {
    runs: new PgRunRepository(orm, db),
    alerts: new PgAlertRepository(orm),
    events: new PgEventRepository(orm, db),
    outbox: new PgOutboxRepository(orm, db),
    roles: new PgRoleRepository(orm, db),
    usergroups: new PgUsergroupRepository(orm, db),
    timers: new PgTimerRepository(orm, db),
    digests: new PgDigestRepository(orm),
    idempotency: new PgIdempotencyRepository(orm),
    pending: new PgPendingRequestRepository(orm),
    corrections: new PgCorrectionRepository(orm),
    settings: new PgSettingsRepository(orm),
    clock: new PgClockRepository(orm),
    reports: new PgReportRepository(orm),
    apiTokens: new PgApiTokenRepository(orm),
    apiRequests: new PgApiRequestRepository(orm),
    webhooks: new PgWebhookRepository(orm),
  };
}
