// The fake Slack's public shapes: what tests set up, inspect and inject.
export type Json = Record<string, unknown>;

export interface FakeSlackOptions {
  botUserId?: string;
  teamId?: string;
  botId?: string;
  appId?: string;
  /** Posting to (or asking about) a channel not added with `addChannel` fails with `channel_not_found`. */
  strictChannels?: boolean;
  /** Clock (ms) for call times and trigger expiry; `setClock` replaces it later. Default `Date.now`. */
  now?: () => number;
  /** How long a trigger_id is accepted by views.open/push. Slack's is 3 s. */
  triggerTtlMs?: number;
}

/**
 * A fault injected with `failNext`; 429 carries `Retry-After: <retryAfter>` (whole seconds, as
 * Slack). `hang`: no answer, no effect, until `releaseHung()` or `close()` drops the connection.
 * `lostAnswer`: the call takes effect (the message is posted), then the answer is lost: the
 * connection drops (`drop`) or no answer ever comes (`hang`, as above).
 */
export type Fault =
  | { status: 429; retryAfter: number }
  | { status: 500 }
  | { error: string }
  | { networkDrop: true }
  | { hang: true }
  | { lostAnswer: 'drop' | 'hang' };

/** Which calls a fault applies to: only those to this channel (as the call names it). */
export interface FaultMatch {
  channel?: string;
}

/** One request to the Web API; calls answered with an injected fault carry it in `fault`. */
export interface ApiCall {
  method: string;
  /** The arguments without `token`; JSON-encoded form fields (blocks, view, …) parsed back. */
  args: Json;
  at: number;
  token: string | undefined;
  fault?: Fault;
}

export interface MessageUpdate {
  at: number;
  /** The message's text and blocks after this update. */
  text: string | undefined;
  blocks: Json[] | undefined;
  via: 'chat.update' | 'response_url';
  args: Json;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts: string | undefined;
  /** The bot's user id for messages the app posted; the author for `addMessage`. */
  user: string;
  bot_id: string | undefined;
  text: string | undefined;
  blocks: Json[] | undefined;
  attachments: Json[] | undefined;
  metadata: Json | undefined;
  reply_broadcast: boolean;
  deleted: boolean;
  postedAt: number;
  /** The arguments of the call that posted it. */
  args: Json;
  /** Every update applied since it was posted, oldest first; text/blocks above are the latest. */
  history: MessageUpdate[];
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string | undefined;
  blocks: Json[] | undefined;
  thread_ts: string | undefined;
  message_ts: string;
  at: number;
  via: 'chat.postEphemeral' | 'response_url';
}

/** Where a response_url belongs: who triggered it, in which channel, on which message. */
export interface ResponseUrlContext {
  channelId: string;
  userId: string;
  messageTs?: string;
  threadTs?: string;
}

export interface ResponseUrlPost {
  id: string;
  url: string;
  at: number;
  body: Json;
  context: ResponseUrlContext;
}

export interface FakeView {
  id: string;
  type: string;
  /** The user it was opened for (the trigger's user) or published to. */
  user: string | undefined;
  callback_id: string | undefined;
  private_metadata: string | undefined;
  external_id: string | undefined;
  hash: string;
  root_view_id: string;
  previous_view_id: string | undefined;
  /** The view as the app last sent it. */
  view: Json;
  /** Every version the app sent (open/publish, then updates), oldest first. */
  history: Json[];
  openedBy: 'views.open' | 'views.push' | 'views.publish';
  trigger_id: string | undefined;
}

export interface FakeUser {
  id: string;
  name: string;
  realName?: string;
  tz?: string;
  isBot?: boolean;
  deleted?: boolean;
  email?: string;
}

export interface FakeChannel {
  id: string;
  name: string;
  archived?: boolean;
  /** false: posting fails with `not_in_channel` (`channel_not_found` when private). Default true. */
  isMember?: boolean;
  isPrivate?: boolean;
}

export interface WaitForOptions {
  timeoutMs?: number;
  /** Said in the timeout error, e.g. 'the handoff reply'. */
  what?: string;
}

/** `FakeSlack.snapshot()`'s JSON: what a restart would otherwise lose. */
export interface WorkspaceSnapshot {
  version: 1;
  messages: FakeMessage[];
  ephemerals: FakeEphemeral[];
  /** User → their DM channel with the bot. */
  dms: [string, string][];
  counters: { id: number; ts: number };
}
