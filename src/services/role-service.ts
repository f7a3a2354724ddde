// The role directory at run time: who holds each role (users and user groups), set by admins.
// A user group is checked with the workspace before it is given a role: one that does not exist
// or has nobody in it is refused, and nothing changes.
import type { RoleDirectory } from '../../routing/roles.ts';
import type { Clock } from '../core/clock.ts';
import { PRINCIPALS, type Principals } from '../core/principals.ts';
import { requireAdmin } from '../domain/policy.ts';
import { group, role as roleMention, text } from '../domain/text.ts';
import type { Actor } from '../domain/types.ts';
import { DomainError, NotFoundError, RefusedError, ValidationError } from '../errors.ts';
import type { Store } from '../persistence/ports.ts';
import { withRefusalsRecorded } from './verb-transaction.ts';

/** Who is in a user group, asked of the workspace: null when there is no such group. */
export type UsergroupLookup = (groupId: string) => Promise<string[] | null>;

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
  /** How principal IDs are told apart (default: src/core/principals.ts). */
  principals?: Principals;
}) {
  const principals = deps.principals ?? PRINCIPALS;
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
      actor: Actor,
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
      const call = { actor, verb: 'role_set', data: { role } };
      return withRefusalsRecorded(deps, call, async () => {
        requireAdmin(actor, 'Only an admin can change who holds a role.');
        const unique = [...new Set(members)];
        if (unique.length === 0)
          throw new ValidationError('no_members', `Name who holds @${role}: users or user groups.`);
        const bad = unique.find((m) => !principals.isHolder(m));
        if (bad) throw new ValidationError('bad_member', `"${bad}" is not a user or user group ID.`);
        const groups = new Map<string, string[]>();
        if (options.usergroups) {
          for (const id of unique.filter(principals.isGroup)) {
            groups.set(id, await groupMembers(options.usergroups, id, role));
          }
        }
        await deps.store.transaction(async (repos) => {
          const now = deps.clock();
          const before = (await repos.roles.get(role)) ?? deps.directory.defaultHolders(role);
          for (const [group, users] of groups) await repos.usergroups.set(group, users, now);
          await repos.roles.set(role, unique, actor.userId, now);
          await repos.events.append([
            {
              runId: null,
              at: now,
              actor: actor.userId,
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
async function groupMembers(lookup: UsergroupLookup, id: string, roleName: string): Promise<string[]> {
  const g = group(id);
  const r = roleMention(roleName);
  let users: string[] | null;
  try {
    users = await lookup(id);
  } catch (err) {
    const why = String((err as Error).message ?? err);
    throw new DomainError(
      'usergroup_unchecked',
      text`Could not check the user group ${g} with Slack (${why}). ${r} is unchanged; try again.`,
      { group: id },
    );
  }
  if (users === null) {
    throw new RefusedError(
      'unknown_usergroup',
      text`There is no user group ${g} in this workspace. ${r} is unchanged.`,
      { group: id },
    );
  }
  if (users.length === 0) {
    throw new RefusedError(
      'empty_usergroup',
      text`The user group ${g} has nobody in it, so nobody could act for ${r}. Add people to the group or name users. ${r} is unchanged.`,
      { group: id },
    );
  }
  return users;
}

export type RoleService = ReturnType<typeof createRoleService>;
