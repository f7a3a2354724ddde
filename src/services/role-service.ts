// The role directory at run time: who holds each role (users and user groups), set by admins.
// A user group is checked with the workspace before it is given a role: one that does not exist
// or has nobody in it is refused, and nothing changes.
import type { RoleDirectory } from '../../routing/roles.ts';
import { DomainError, NotFoundError, RefusedError, ValidationError } from '../errors.ts';
import type { Store } from '../persistence/ports.ts';
import { recordingRefusals } from './refusals.ts';
import type { Clock } from './run-service.ts';

/** Who is in a user group, asked of the workspace: null when there is no such group. */
export type UsergroupLookup = (groupId: string) => Promise<string[] | null>;

const isGroup = (principal: string) => principal.startsWith('S');

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

    /**
     * The role is now held by exactly these users or groups (admins only). With `usergroups`,
     * each group named is looked up first: an unknown or empty group is refused, and the members
     * found are kept with the role in one transaction.
     */
    async setRole(
      userId: string,
      roleName: string,
      members: string[],
      options: { usergroups?: UsergroupLookup } = {},
    ): Promise<RoleHolding> {
      const role = deps.directory.resolve(roleName);
      if (!role) {
        throw new NotFoundError(
          'unknown_role',
          `There is no role "${roleName}". Roles: ${deps.directory.names.join(', ')}.`,
        );
      }
      const who = { actor: userId, action: 'role_set', data: { role } };
      return recordingRefusals(deps, who, async () => {
        if (!deps.adminUserIds.has(userId))
          throw new RefusedError('not_admin', 'Only an admin can change who holds a role.');
        const unique = [...new Set(members)];
        if (unique.length === 0)
          throw new ValidationError('no_members', `Name who holds @${role}: users or user groups.`);
        const bad = unique.find((m) => !/^[UWS][A-Z0-9]{2,}$/.test(m));
        if (bad) throw new ValidationError('bad_member', `"${bad}" is not a Slack user or user group ID.`);
        const groups = new Map<string, string[]>();
        if (options.usergroups) {
          for (const group of unique.filter(isGroup)) {
            groups.set(group, await groupMembers(options.usergroups, group, role));
          }
        }
        await deps.store.transaction(async (repos) => {
          const now = deps.clock();
          const before = (await repos.roles.get(role)) ?? deps.directory.defaultHolders(role);
          for (const [group, users] of groups) await repos.usergroups.set(group, users, now);
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
      });
    },

    async holdersOf(role: string): Promise<string[]> {
      return (await deps.store.read.roles.get(role)) ?? deps.directory.defaultHolders(role);
    },
  };
}

/** The group's members; a group that does not exist or is empty is refused. */
async function groupMembers(lookup: UsergroupLookup, group: string, role: string): Promise<string[]> {
  let users: string[] | null;
  try {
    users = await lookup(group);
  } catch (err) {
    throw new DomainError(
      'usergroup_unchecked',
      `Could not check the user group <!subteam^${group}> with Slack (${String((err as Error).message ?? err)}). @${role} is unchanged; try again.`,
      { group },
    );
  }
  if (users === null) {
    throw new RefusedError(
      'unknown_usergroup',
      `There is no user group <!subteam^${group}> in this workspace. @${role} is unchanged.`,
      { group },
    );
  }
  if (users.length === 0) {
    throw new RefusedError(
      'empty_usergroup',
      `The user group <!subteam^${group}> has nobody in it, so nobody could act for @${role}. Add people to the group or name users. @${role} is unchanged.`,
      { group },
    );
  }
  return users;
}

export type RoleService = ReturnType<typeof createRoleService>;
