// Every repository of the port on one SQLite connection (the writer's, or the reader's).
import type { Repositories } from '../../ports.ts';
import type { Orm } from '../database.ts';
import { SqliteAlertRepository } from './alerts.ts';
import { SqliteApiRequestRepository } from './api-requests.ts';
import { SqliteApiTokenRepository } from './api-tokens.ts';
import { SqliteClockRepository } from './clock.ts';
import { SqliteCorrectionRepository } from './corrections.ts';
import { SqliteDigestRepository } from './digests.ts';
import { SqliteEventRepository } from './events.ts';
import { SqliteIdempotencyRepository } from './idempotency.ts';
import { SqliteOutboxRepository } from './outbox.ts';
import { SqlitePendingRequestRepository } from './pending.ts';
import { SqliteReportRepository } from './reports.ts';
import { SqliteRoleRepository } from './roles.ts';
import { SqliteRunRepository } from './runs.ts';
import { SqliteSettingsRepository } from './settings.ts';
import { SqliteTimerRepository } from './timers.ts';
import { SqliteUsergroupRepository } from './usergroups.ts';
import { SqliteWebhookRepository } from './webhooks.ts';

export function sqliteRepositories(orm: Orm): Repositories {
  return {
    runs: new SqliteRunRepository(orm),
    alerts: new SqliteAlertRepository(orm),
    events: new SqliteEventRepository(orm),
    outbox: new SqliteOutboxRepository(orm),
    roles: new SqliteRoleRepository(orm),
    usergroups: new SqliteUsergroupRepository(orm),
    timers: new SqliteTimerRepository(orm),
    digests: new SqliteDigestRepository(orm),
    idempotency: new SqliteIdempotencyRepository(orm),
    pending: new SqlitePendingRequestRepository(orm),
    corrections: new SqliteCorrectionRepository(orm),
    settings: new SqliteSettingsRepository(orm),
    clock: new SqliteClockRepository(orm),
    reports: new SqliteReportRepository(orm),
    apiTokens: new SqliteApiTokenRepository(orm),
    apiRequests: new SqliteApiRequestRepository(orm),
    webhooks: new SqliteWebhookRepository(orm),
  };
}
