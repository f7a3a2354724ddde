// The Slack-free core: store, playbooks, role directory and services, composed once.
// Used by the bot (src/main.ts) and the CLI alike.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { BUILTIN_PLAYBOOKS_DIR, loadPlaybooks } from '../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../routing/roles.ts';
import type { CoreConfig } from './config.ts';
import { openStore } from './persistence/open.ts';
import { createClockService } from './services/clocks/clock-service.ts';
import { createDeadlineHook } from './services/clocks/deadline-hook.ts';
import { createDigestService } from './services/clocks/digest-service.ts';
import { createMetricsService } from './services/clocks/metrics.ts';
import { createPostmortemService } from './services/clocks/postmortem.ts';
import { createRoleService } from './services/role-service.ts';
import { type Clock, createRunService, type TransitionHook } from './services/run-service.ts';

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
  const directory = loadRoleDirectory(config.ROLES_FILE);
  const dirs = [BUILTIN_PLAYBOOKS_DIR, ...(config.PLAYBOOKS_DIR ? [config.PLAYBOOKS_DIR] : [])];
  const playbooks = loadPlaybooks({ dirs, knownRoles: new Set(directory.names) });
  const store = await openStore(config.DATABASE_URL);
  const adminUserIds = new Set(config.ADMIN_USER_IDS);
  const deadlines = createDeadlineHook({ directory, playbooks, workTimeZone });
  const runs = createRunService({
    store,
    playbooks,
    directory,
    clock,
    adminUserIds,
    hooks: [deadlines, ...(options.hooks ?? [])],
  });
  const roles = createRoleService({ store, directory, clock, adminUserIds });
  const clocks = createClockService({ store, directory, clock, adminUserIds });
  const digests = createDigestService({
    store,
    clock,
    timeZone: config.DIGEST_TIMEZONE,
    channel: config.DIGEST_CHANNEL ?? null,
    playbooks,
    workerId,
    adminUserIds,
  });
  const metrics = createMetricsService({ store, playbooks });
  const postmortems = createPostmortemService({ store, clock, playbooks, timeZone: workTimeZone });
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
    runs,
    roles,
    clocks,
    digests,
    metrics,
    postmortems,
    adminUserIds,
    close: () => store.close(),
  };
}

export type Core = Awaited<ReturnType<typeof createCore>>;
