// The Slack-free core: store, playbooks, role directory and every service (the request
// service included), composed once. Used by the bot (src/main.ts) and the CLI alike; the verb
// table (src/services/verbs.ts) is what the surfaces call.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { loadAlertSeverityMapping } from '../routing/alert-severity.ts';
import { loadChains, playbookDirs } from '../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../routing/roles.ts';
import type { CoreConfig } from './config.ts';
import { createActors } from './core/actor.ts';
import type { Clock } from './core/clock.ts';
import { openStore } from './persistence/open.ts';
import { createAlertService } from './services/alerts/alert-service.ts';
import { createAuditCadence, createIncidentAuditHook } from './services/audits/audit-cadence.ts';
import { createClockService } from './services/clocks/clock-service.ts';
import { createDeadlineHook } from './services/clocks/deadline-hook.ts';
import { createDigestService } from './services/digests/digest-service.ts';
import { createMetricsService } from './services/metrics/metrics.ts';
import { createPostmortemService } from './services/postmortems/postmortem.ts';
import { createRequestService } from './services/request-service.ts';
import { createRoleService } from './services/role-service.ts';
import { createRunService, type TransitionHook } from './services/run-service.ts';
import { createTokenService } from './services/tokens.ts';
import { bindVerbs } from './services/verbs.ts';
import { createWebhookService } from './services/webhooks/webhook-service.ts';

export interface CoreOptions {
  clock?: Clock;
  /** Extra hooks after each transition (the deadline clocks are always on). */
  hooks?: TransitionHook[];
  /** Names this process in claims (timers, digests, outbox leases). */
  workerId?: string;
}

export async function createCore(config: CoreConfig, options: CoreOptions = {}) {
  const clock = options.clock ?? Date.now;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const workTimeZone = config.WORK_TIMEZONE ?? config.DIGEST_TIMEZONE;
  // Teams' chains may bring roles the directory lacks: the directory gains them.
  const { playbooks, directory } = loadChains(
    loadRoleDirectory(config.ROLES_FILE),
    playbookDirs(config.PLAYBOOKS_DIR),
  );
  const store = await openStore(config.DATABASE_URL);
  const adminUserIds = new Set(config.ADMIN_USER_IDS);
  const deadlines = createDeadlineHook({ directory, playbooks, workTimeZone });
  const actors = createActors({ store, directory, adminUserIds });
  // Webhook events are enqueued in each transition's transaction, after the deadlines are set.
  const webhooks = createWebhookService({ store, clock, playbooks });
  const tokens = createTokenService({ store, clock });
  // An incident that exposed data, or was flagged security, starts an Incident Audit when done.
  const incidentAudits = createIncidentAuditHook({ runs: () => runs });
  const runs = createRunService({
    store,
    playbooks,
    directory,
    clock,
    hooks: [deadlines, incidentAudits, webhooks.hook, ...(options.hooks ?? [])],
  });
  const requests = createRequestService({ store, runs, directory, clock });
  const roles = createRoleService({ store, directory, clock });
  const clocks = createClockService({ store, directory, clock });
  const digests = createDigestService({
    store,
    clock,
    timeZone: config.DIGEST_TIMEZONE,
    channel: config.DIGEST_CHANNEL ?? null,
    playbooks,
    workerId,
  });
  const metrics = createMetricsService({ store, playbooks, clock, timeZone: config.DIGEST_TIMEZONE });
  const postmortems = createPostmortemService({ store, clock, playbooks, timeZone: workTimeZone });
  const alerts = createAlertService({
    store,
    runs,
    clock,
    incidentChannel: config.INCIDENT_CHANNEL ?? null,
    severity: loadAlertSeverityMapping(config.ALERT_SEVERITY_FILE),
  });
  const audits = createAuditCadence({
    runs,
    clock,
    schedule: config.AUDIT_QUARTERLY_CRON,
    timeZone: workTimeZone,
    channel: config.AUDIT_CHANNEL ?? config.DIGEST_CHANNEL ?? null,
    installedAt: () => digests.installedAt(),
  });
  const services = { clock, runs, requests, roles, clocks, digests, metrics, postmortems };
  await roles.seedDefaults();
  // The first start is the install: digests never post for a period under way before it.
  await digests.installedAt();
  return {
    config,
    clock,
    workerId,
    workTimeZone,
    directory,
    playbooks,
    store,
    actors,
    runs,
    requests,
    roles,
    clocks,
    digests,
    metrics,
    postmortems,
    alerts,
    audits,
    webhooks,
    tokens,
    /** The verb table bound to these services (a surface may bind its own ports: Slack does). */
    verbs: bindVerbs(services),
    adminUserIds,
    close: () => store.close(),
  };
}

export type Core = Awaited<ReturnType<typeof createCore>>;
