// Who acts, built from the Slack identity at the edge (the Actor every verb takes); and the
// members of the user groups that hold roles, kept in the usergroups cache
// (usergroups.users.list) so a group's members may act.
import type { WebClient } from '@slack/web-api';
import type { Actor, Actors } from '../core/actor.ts';
import type { Clock } from '../core/clock.ts';
import { PRINCIPALS } from '../core/principals.ts';
import { ValidationError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../persistence/ports.ts';
import type { RoleService } from '../services/role-service.ts';

/** The Slack identity of a request: who, in which channel and thread. */
export interface SlackIdentity {
  userId: string;
  teamId: string | null;
  channelId: string | null;
  threadTs: string | null;
}

type Body = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): Body => (typeof v === 'object' && v !== null ? (v as Body) : {});

/** The identity in any Slack body: slash command, interaction or event callback. */
export function identityOf(body: Body): SlackIdentity {
  if (typeof body.command === 'string') {
    return {
      userId: str(body.user_id) ?? '',
      teamId: str(body.team_id),
      channelId: str(body.channel_id),
      threadTs: null,
    };
  }
  if (body.type === 'event_callback') {
    const event = obj(body.event);
    return {
      userId: str(event.user) ?? '',
      teamId: str(body.team_id),
      channelId: str(event.channel),
      threadTs: str(event.thread_ts) ?? str(event.ts),
    };
  }
  const container = obj(body.container);
  const message = obj(body.message);
  return {
    userId: str(obj(body.user).id) ?? '',
    teamId: str(obj(body.team).id),
    channelId: str(obj(body.channel).id) ?? str(container.channel_id),
    threadTs: str(container.thread_ts) ?? str(message.thread_ts),
  };
}

export const isUsergroup = PRINCIPALS.isGroup;

/** A display name Slack sent with the request, if any. */
function nameOf(body: Body): string | null {
  const user = obj(body.user);
  return str(body.user_name) ?? str(user.username) ?? str(user.name);
}

/** Another app's bot: its bot user's ID and name (bots.info), or null when Slack knows none. */
export type BotUserLookup = (botId: string) => Promise<{ userId: string; name: string | null } | null>;

/**
 * The Actor of a Slack request: the person (or bot user) who sent it, with the groups they
 * belong to and the roles they hold, as the core knows them. An event from another app's bot
 * acts as that app's bot user (`kind: 'slack_bot'`); when the event carries no `user`, the bot
 * user is looked up from its `bot_id`.
 */
export async function slackActor(actors: Actors, body: Body, botUsers?: BotUserLookup): Promise<Actor> {
  const who = identityOf(body);
  const event = obj(body.event);
  const bot = str(event.bot_id) ?? str(obj(body.user).bot_id);
  let userId = who.userId;
  let label = nameOf(body) ?? str(obj(event.bot_profile).name) ?? str(event.username);
  if (!userId && bot && botUsers) {
    const found = await botUsers(bot);
    userId = found?.userId ?? '';
    label ??= found?.name ?? null;
  }
  if (!userId) throw new ValidationError('no_user', 'This request does not say who sent it.');
  return actors.resolve({ kind: bot ? 'slack_bot' : 'slack_user', userId, label: label ?? userId });
}

/** bots.info, remembered per bot: a bot's user never changes. */
export function createBotUserLookup(slack: WebClient): BotUserLookup {
  const known = new Map<string, { userId: string; name: string | null }>();
  return async (botId) => {
    const hit = known.get(botId);
    if (hit) return hit;
    const res = await slack.bots.info({ bot: botId });
    const userId = str(res.bot?.user_id);
    if (!userId) return null;
    const found = { userId, name: str(res.bot?.name) };
    known.set(botId, found);
    return found;
  };
}

export interface UsergroupSyncDeps {
  slack: WebClient;
  store: Store;
  roles: RoleService;
  clock: Clock;
  logger: Logger;
}

/** Refreshes the cached members of user groups that hold roles. */
export function createUsergroupSync(deps: UsergroupSyncDeps) {
  async function refresh(groupIds: readonly string[]): Promise<void> {
    for (const groupId of new Set(groupIds.filter(isUsergroup))) {
      try {
        const res = await deps.slack.usergroups.users.list({ usergroup: groupId });
        const members = (res.users ?? []).filter((u): u is string => typeof u === 'string');
        await deps.store.transaction((repos) => repos.usergroups.set(groupId, members, deps.clock()));
      } catch (err) {
        // The cache keeps the last members known; the next refresh tries again.
        deps.logger.warn('Could not refresh a user group', {
          groupId,
          error: String((err as Error).message ?? err),
        });
      }
    }
  }
  let timer: NodeJS.Timeout | undefined;
  return {
    refresh,
    /** The group's members from Slack; null when Slack knows no such group. Other errors throw. */
    async lookup(groupId: string): Promise<string[] | null> {
      try {
        const res = await deps.slack.usergroups.users.list({ usergroup: groupId });
        return (res.users ?? []).filter((u): u is string => typeof u === 'string');
      } catch (err) {
        if ((err as { data?: { error?: string } }).data?.error === 'no_such_subteam') return null;
        throw err;
      }
    },
    /** Every group that holds a role now. */
    async refreshHeld(): Promise<void> {
      const holdings = await deps.roles.listRoles();
      await refresh(holdings.flatMap((h) => h.holders));
    },
    start(intervalMs: number) {
      timer = setInterval(() => void this.refreshHeld(), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

export type UsergroupSync = ReturnType<typeof createUsergroupSync>;
