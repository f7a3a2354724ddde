// The workspace as the bot reads it: auth.test, users.info, conversations.* (info, open,
// history and replies with Slack's paging) and usergroups.*.
import type { Handler, SlackStore } from './store.ts';
import type { FakeMessage, Json } from './types.ts';
import {
  fail,
  inTimeRange,
  isTrue,
  optionalString,
  PERMALINK_BASE,
  requireString,
  tzOffsetSeconds,
} from './wire.ts';

export function workspaceMethods(s: SlackStore): Record<string, Handler> {
  return {
    'auth.test': () => authTest(s),
    'users.info': (args) => usersInfo(s, args),
    'bots.info': (args) => botsInfo(s, args),
    'conversations.info': (args) => conversationsInfo(s, args),
    'conversations.open': (args) => conversationsOpen(s, args),
    'conversations.history': (args) => conversationsHistory(s, args),
    'conversations.replies': (args) => conversationsReplies(s, args),
    'usergroups.users.list': (args) => usergroupsUsersList(s, args),
    'usergroups.list': () => usergroupsList(s),
  };
}

function authTest(s: SlackStore): Json {
  return {
    url: `${PERMALINK_BASE}/`,
    team: 'Fake Team',
    user: 'projectlead',
    team_id: s.teamId,
    user_id: s.botUserId,
    bot_id: s.botId,
    is_enterprise_install: false,
  };
}

/** bots.info: our own bot, or another app's bot added with `addBot`. */
function botsInfo(s: SlackStore, args: Json): Json {
  const id = requireString(args, 'bot');
  const bot =
    s.state.bots.get(id) ??
    (id === s.botId ? { userId: s.botUserId, name: 'projectlead', appId: s.appId } : undefined);
  if (!bot) fail('bot_not_found');
  return {
    bot: {
      id,
      deleted: false,
      name: bot.name,
      updated: Math.floor(s.now() / 1000),
      app_id: bot.appId,
      user_id: bot.userId,
      icons: {},
    },
  };
}

function usersInfo(s: SlackStore, args: Json): Json {
  const id = requireString(args, 'user');
  if (!/^[UWB]/.test(id)) fail('user_not_found');
  const user =
    s.state.users.get(id) ??
    (id === s.botUserId
      ? { id, name: 'projectlead', isBot: true }
      : { id, name: `user-${id.toLowerCase()}` });
  const tz = user.tz ?? 'UTC';
  const realName = user.realName ?? user.name;
  return {
    user: {
      id: user.id,
      team_id: s.teamId,
      name: user.name,
      real_name: realName,
      deleted: user.deleted ?? false,
      is_bot: user.isBot ?? false,
      is_admin: false,
      tz,
      tz_label: tz,
      tz_offset: tzOffsetSeconds(tz, s.now()),
      profile: {
        real_name: realName,
        display_name: user.name,
        ...(user.email ? { email: user.email } : {}),
        ...(user.isBot ? { bot_id: s.botId } : {}),
      },
    },
  };
}

function conversationsInfo(s: SlackStore, args: Json): Json {
  const id = s.resolveChannel(requireString(args, 'channel'));
  const channel = s.state.channels.get(id);
  if (channel === undefined && s.state.strictChannels) fail('channel_not_found');
  const isIm = id.startsWith('D');
  return {
    channel: {
      id,
      name: channel?.name ?? id.toLowerCase(),
      is_channel: !isIm && !(channel?.isPrivate ?? false),
      is_group: channel?.isPrivate ?? false,
      is_im: isIm,
      is_private: isIm || (channel?.isPrivate ?? false),
      is_archived: channel?.archived ?? false,
      is_member: channel?.isMember ?? true,
      ...(channel?.user ? { user: channel.user } : {}),
    },
  };
}

function conversationsOpen(s: SlackStore, args: Json): Json {
  const channel = optionalString(args.channel);
  if (channel !== undefined) return { channel: { id: channel }, no_op: true, already_open: true };
  const user = requireString(args, 'users').split(',')[0]?.trim() ?? '';
  if (user === '') fail('users_list_not_supplied');
  const existed = s.state.dms.has(user);
  return { channel: { id: s.dmChannel(user) }, no_op: existed, already_open: existed };
}

function conversationsHistory(s: SlackStore, args: Json): Json {
  const channel = s.usableChannel(args, 'read');
  const top = s
    .messages(channel)
    .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
    .filter(inTimeRange(args))
    .reverse();
  return page(s, top, args, true);
}

/** The thread's parent first, then its replies in the time range, oldest first. */
function conversationsReplies(s: SlackStore, args: Json): Json {
  const channel = s.usableChannel(args, 'read');
  const ts = requireString(args, 'ts');
  const thread = s.thread(channel, ts);
  if (thread.length === 0) fail('thread_not_found');
  const parent = thread.filter((m) => m.ts === ts);
  const replies = thread.filter((m) => m.ts !== ts).filter(inTimeRange(args));
  return page(s, [...parent, ...replies], args, false);
}

/** Cursor pagination as Slack's: `limit` (default 100, at most 1000), `response_metadata.next_cursor`. */
function page(s: SlackStore, messages: FakeMessage[], args: Json, history: boolean): Json {
  const limit = Math.min(1000, Math.max(1, Number(optionalString(args.limit) ?? 100) || 100));
  const cursor = optionalString(args.cursor);
  const offset = cursor
    ? Number(
        Buffer.from(cursor, 'base64')
          .toString('utf8')
          .replace(/^offset:/, ''),
      )
    : 0;
  if (!Number.isInteger(offset) || offset < 0) fail('invalid_cursor');
  const withMetadata = isTrue(args.include_all_metadata);
  const slice = messages.slice(offset, offset + limit);
  const more = offset + limit < messages.length;
  return {
    messages: slice.map((m) => s.slackMessage(m, { metadata: withMetadata })),
    has_more: more,
    ...(history ? { pin_count: 0 } : {}),
    response_metadata: {
      next_cursor: more ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '',
    },
  };
}

function usergroupsUsersList(s: SlackStore, args: Json): Json {
  const group = s.state.usergroups.get(requireString(args, 'usergroup'));
  if (group === undefined) fail('no_such_subteam');
  return { users: [...group.users] };
}

function usergroupsList(s: SlackStore): Json {
  return {
    usergroups: [...s.state.usergroups].map(([id, g]) => ({
      id,
      team_id: s.teamId,
      handle: g.handle,
      name: g.handle,
      users: [...g.users],
      user_count: g.users.length,
    })),
  };
}
