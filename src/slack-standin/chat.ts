// chat.*: posting, updating and deleting the bot's messages, ephemerals and permalinks.
import { checkMessageContent, checkMetadata } from './checks.ts';
import type { Handler, SlackStore } from './store.ts';
import type { Json } from './types.ts';
import { asBlocks, fail, optionalString, PERMALINK_BASE, requireString } from './wire.ts';

export function chatMethods(s: SlackStore): Record<string, Handler> {
  return {
    'chat.postMessage': (args) => chatPostMessage(s, args),
    'chat.update': (args) => chatUpdate(s, args),
    'chat.delete': (args) => chatDelete(s, args),
    'chat.postEphemeral': (args) => chatPostEphemeral(s, args),
    'chat.getPermalink': (args) => chatGetPermalink(s, args),
  };
}

function chatPostMessage(s: SlackStore, args: Json): Json {
  const channel = s.usableChannel(args, 'post');
  checkMessageContent(args);
  checkMetadata(args.metadata);
  const message = s.storeMessage(args, channel, s.botUserId);
  return { channel, ts: message.ts, message: s.slackMessage(message, { metadata: true }) };
}

function chatUpdate(s: SlackStore, args: Json): Json {
  const channel = s.resolveChannel(requireString(args, 'channel'));
  const message = s.message(channel, requireString(args, 'ts'));
  if (message === undefined || message.deleted) fail('message_not_found');
  if (message.user !== s.botUserId) fail('cant_update_message');
  if (args.blocks !== undefined) checkMessageContent(args);
  s.applyUpdate(message, args, 'chat.update');
  return { channel, ts: message.ts, text: message.text ?? '', message: s.slackMessage(message) };
}

function chatDelete(s: SlackStore, args: Json): Json {
  const channel = s.resolveChannel(requireString(args, 'channel'));
  const message = s.message(channel, requireString(args, 'ts'));
  if (message === undefined || message.deleted) fail('message_not_found');
  if (message.user !== s.botUserId) fail('cant_delete_message');
  message.deleted = true;
  return { channel, ts: message.ts };
}

function chatPostEphemeral(s: SlackStore, args: Json): Json {
  const channel = s.usableChannel(args, 'post');
  const user = requireString(args, 'user');
  checkMessageContent(args);
  const messageTs = s.nextTs();
  s.state.ephemerals.push({
    channel,
    user,
    text: optionalString(args.text),
    blocks: asBlocks(args.blocks),
    thread_ts: optionalString(args.thread_ts),
    message_ts: messageTs,
    at: s.now(),
    via: 'chat.postEphemeral',
  });
  return { message_ts: messageTs };
}

function chatGetPermalink(s: SlackStore, args: Json): Json {
  const channel = s.resolveChannel(requireString(args, 'channel'));
  const ts = requireString(args, 'message_ts');
  const threadTs = s.message(channel, ts)?.thread_ts;
  const query = threadTs && threadTs !== ts ? `?thread_ts=${threadTs}&cid=${channel}` : '';
  return { channel, permalink: `${PERMALINK_BASE}/archives/${channel}/p${ts.replace('.', '')}${query}` };
}
