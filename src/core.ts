// The Slack-free core: database, playbooks, role directory and services, composed once.
// Used by the bot (src/main.ts) and the CLI alike.
import { BUILTIN_PLAYBOOKS_DIR, loadPlaybooks } from '../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../routing/roles.ts';
import type { CoreConfig } from './config.ts';
import { openDatabase } from './persistence/database.ts';
import { SqliteStore } from './persistence/store.ts';
import { createRoleService } from './services/role-service.ts';
import { type Clock, createRunService, type TransitionHook } from './services/run-service.ts';

export interface CoreOptions {
  clock?: Clock;
  hooks?: TransitionHook[];
}

export async function createCore(config: CoreConfig, options: CoreOptions = {}) {
  const clock = options.clock ?? Date.now;
  const directory = loadRoleDirectory(config.ROLES_FILE);
  const dirs = [BUILTIN_PLAYBOOKS_DIR, ...(config.PLAYBOOKS_DIR ? [config.PLAYBOOKS_DIR] : [])];
  const playbooks = loadPlaybooks({ dirs, knownRoles: new Set(directory.names) });
  const db = openDatabase(config.DATABASE_URL);
  const store = new SqliteStore(db);
  const adminUserIds = new Set(config.ADMIN_USER_IDS);
  const runs = createRunService({ store, playbooks, directory, clock, adminUserIds, hooks: options.hooks });
  const roles = createRoleService({ store, directory, clock, adminUserIds });
  await roles.seedDefaults();
  return {
    config,
    clock,
    directory,
    playbooks,
    db,
    store,
    runs,
    roles,
    adminUserIds,
    close: () => store.close(),
  };
}

export type Core = Awaited<ReturnType<typeof createCore>>;
