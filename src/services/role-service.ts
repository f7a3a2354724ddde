// The role directory at run time: who holds each role (users and user groups), set by admins.
import type { RoleDirectory } from '../../routing/roles.ts';
import { NotFoundError, RefusedError, ValidationError } from '../errors.ts';
import type { Store } from '../persistence/store.ts';
import type { Clock } from './run-service.ts';

export interface RoleHolding {
  role: string;
  title: string;
  holders: string[];
  escalation: string[];
}

export function createRoleService(deps: {
  store: Store;
  directory: RoleDirectory;
  clock: Clock;
  adminUserIds: ReadonlySet<string>;
}) {
  const holding = (role: string, holders: string[]): RoleHolding => ({
    role,
    title: deps.directory.config.roles[role]?.title ?? '',
    holders,
    escalation: deps.directory.escalationPath(role),
  });

  return {
    /** Load roles.yml defaults for roles never set. */
    async seedDefaults(): Promise<void> {
      const defaults = new Map(deps.directory.names.map((n) => [n, deps.directory.defaultHolders(n)]));
      await deps.store.transaction((repos) => repos.roles.seed(defaults, deps.clock()));
    },

    async listRoles(): Promise<RoleHolding[]> {
      const held = await deps.store.read.roles.all();
      return deps.directory.names.map((role) =>
        holding(role, held.get(role) ?? deps.directory.defaultHolders(role)),
      );
    },

    /** The role is now held by exactly these users or groups (admins only). */
    async setRole(userId: string, roleName: string, members: string[]): Promise<RoleHolding> {
      const role = deps.directory.resolve(roleName);
      if (!role) {
        throw new NotFoundError(
          'unknown_role',
          `There is no role "${roleName}". Roles: ${deps.directory.names.join(', ')}.`,
        );
      }
      if (!deps.adminUserIds.has(userId)) {
        await deps.store.transaction((repos) =>
          repos.events.append([
            {
              runId: null,
              at: deps.clock(),
              actor: userId,
              type: 'refused',
              stepKey: null,
              data: { action: 'role_set', role, code: 'not_admin' },
            },
          ]),
        );
        throw new RefusedError('not_admin', 'Only an admin can change who holds a role.');
      }
      const unique = [...new Set(members)];
      if (unique.length === 0)
        throw new ValidationError('no_members', `Name who holds @${role}: users or user groups.`);
      const bad = unique.find((m) => !/^[UWS][A-Z0-9]{2,}$/.test(m));
      if (bad) throw new ValidationError('bad_member', `"${bad}" is not a Slack user or user group ID.`);
      await deps.store.transaction(async (repos) => {
        const now = deps.clock();
        const before = (await repos.roles.get(role)) ?? deps.directory.defaultHolders(role);
        await repos.roles.set(role, unique, userId, now);
        await repos.events.append([
          {
            runId: null,
            at: now,
            actor: userId,
            type: 'role_set',
            stepKey: null,
            data: { role, before, after: unique },
          },
        ]);
      });
      return holding(role, unique);
    },

    async holdersOf(role: string): Promise<string[]> {
      return (await deps.store.read.roles.get(role)) ?? deps.directory.defaultHolders(role);
    },
  };
}

export type RoleService = ReturnType<typeof createRoleService>;
