// Every repository of the port on the pool (reads) or on one transaction's connection.
import type { Repositories } from '../../ports.ts';
import type { PgOrm } from '../database.ts';
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

export function pgRepositories(orm: PgOrm): Repositories {
  return {
    runs: new PgRunRepository(orm),
    alerts: new PgAlertRepository(orm),
    events: new PgEventRepository(orm),
    outbox: new PgOutboxRepository(orm),
    roles: new PgRoleRepository(orm),
    usergroups: new PgUsergroupRepository(orm),
    timers: new PgTimerRepository(orm),
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
