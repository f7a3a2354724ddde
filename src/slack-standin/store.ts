// The fake's state and what every Web API method shares: messages, views, channels, ids and
// timestamps, faults, and the change signal `waitFor` listens to.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type {
  ApiCall,
  FakeChannel,
  FakeEphemeral,
  FakeMessage,
  FakeUser,
  FakeView,
  Fault,
  FaultMatch,
  Json,
  MessageUpdate,
  ResponseUrlContext,
  ResponseUrlPost,
} from './types.ts';
import { asBlocks, fail, isObject, optionalString, requireString } from './wire.ts';

export type Handler = (args: Json, token: string | undefined) => Json;

interface Trigger {
  userId: string;
  issuedAt: number;
  used: boolean;
}

export interface State {
  calls: ApiCall[];
  messages: FakeMessage[];
  ephemerals: FakeEphemeral[];
  responses: ResponseUrlPost[];
  views: FakeView[];
  homeViews: Map<string, Json[]>;
  users: Map<string, FakeUser>;
  /** Other apps' bots: bot ID → its bot user and name (bots.info). */
  bots: Map<string, { userId: string; name: string; appId: string }>;
  channels: Map<string, FakeChannel & { user?: string }>;
  dms: Map<string, string>;
  usergroups: Map<string, { users: string[]; handle: string }>;
  faults: Map<string, { fault: Fault; match: FaultMatch }[]>;
  /** Requests left unanswered by a `hang` fault. */
  hung: Set<ServerResponse>;
  triggers: Map<string, Trigger>;
  responseUrls: Map<string, ResponseUrlContext>;
  strictChannels: boolean;
}

export function emptyState(strictChannels: boolean): State {
  return {
    calls: [],
    messages: [],
    ephemerals: [],
    responses: [],
    views: [],
    homeViews: new Map(),
    users: new Map(),
    bots: new Map(),
    channels: new Map(),
    dms: new Map(),
    usergroups: new Map(),
    faults: new Map(),
    hung: new Set(),
    triggers: new Map(),
    responseUrls: new Map(),
    strictChannels,
  };
}

export interface SlackIds {
  botUserId: string;
  teamId: string;
  botId: string;
  appId: string;
}

export class SlackStore {
  readonly botUserId: string;
  readonly teamId: string;
  readonly botId: string;
  readonly appId: string;
  readonly changes = new EventEmitter();
  state: State;
  now: () => number;
  // Counters survive a reset so ts and ids never repeat within a process.
  private tsCounter = 0;
  private idCounter = 0;

  constructor(ids: SlackIds, now: () => number, strictChannels: boolean) {
    this.botUserId = ids.botUserId;
    this.teamId = ids.teamId;
    this.botId = ids.botId;
    this.appId = ids.appId;
    this.now = now;
    this.state = emptyState(strictChannels);
    this.changes.setMaxListeners(0);
  }

  /** Messages not deleted, in posting order, with their updates applied; all channels when none given. */
  messages(channel?: string): FakeMessage[] {
    return this.state.messages.filter((m) => !m.deleted && (channel === undefined || m.channel === channel));
  }

  /** One message, deleted or not. */
  message(channel: string, ts: string): FakeMessage | undefined {
    return this.state.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  /** The thread's parent (when the fake knows it) and its replies, oldest first. */
  thread(channel: string, ts: string): FakeMessage[] {
    return this.messages(channel).filter((m) => m.ts === ts || m.thread_ts === ts);
  }

  /** The DM channel between the bot and the user (what conversations.open returns). */
  dmChannel(userId: string): string {
    let id = this.state.dms.get(userId);
    if (id === undefined) {
      id = `D${this.nextId()}`;
      this.state.dms.set(userId, id);
      this.state.channels.set(id, { id, name: userId, user: userId });
    }
    return id;
  }

  changed(): void {
    this.changes.emit('change');
  }

  takeFault(key: string, args: Json): Fault | undefined {
    const queue = this.state.faults.get(key);
    const i =
      queue?.findIndex((f) => f.match.channel === undefined || f.match.channel === args.channel) ?? -1;
    if (queue === undefined || i < 0) return undefined;
    return queue.splice(i, 1)[0]!.fault;
  }

  /** The id and ts counters, to be carried over a restart (ids and ts never repeat). */
  counters(): { id: number; ts: number } {
    return { id: this.idCounter, ts: this.tsCounter };
  }

  /** Counters carried over: each moves up to the one given, never down. */
  raiseCounters(c: { id: number; ts: number }): void {
    this.idCounter = Math.max(this.idCounter, c.id);
    this.tsCounter = Math.max(this.tsCounter, c.ts);
  }

  nextId(): string {
    this.idCounter += 1;
    return String(this.idCounter).padStart(8, '0');
  }

  /** The time of posting as Slack writes it (`1793610000.000100`): unique and increasing. */
  nextTs(): string {
    this.tsCounter = Math.max(this.tsCounter + 1, Math.floor(this.now()) * 1000);
    const micros = this.tsCounter;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  /** Channel ids pass through; a user id means the DM with that user; `#name` looks the channel up. */
  resolveChannel(channel: string): string {
    if (/^[UW]/.test(channel)) return this.dmChannel(channel);
    if (channel.startsWith('#')) {
      const named = [...this.state.channels.values()].find((c) => c.name === channel.slice(1));
      return named?.id ?? fail('channel_not_found');
    }
    return channel;
  }

  /**
   * The channel a call names, as the bot may use it: the bot is in it (a DM is always its own),
   * and to post, it is not archived.
   */
  usableChannel(args: Json, use: 'post' | 'read'): string {
    const id = this.resolveChannel(requireString(args, 'channel'));
    const channel = this.state.channels.get(id);
    if (channel === undefined) {
      if (this.state.strictChannels && !id.startsWith('D')) fail('channel_not_found');
      return id;
    }
    if (use === 'post' && channel.archived) fail('is_archived');
    // A private channel is invisible to a bot outside it; a public one says it is not in it.
    if (channel.isMember === false) fail(channel.isPrivate ? 'channel_not_found' : 'not_in_channel');
    return id;
  }

  storeMessage(args: Json, channel: string, user: string, ts = this.nextTs()): FakeMessage {
    const message: FakeMessage = {
      channel,
      ts,
      thread_ts: optionalString(args.thread_ts),
      user,
      bot_id: user === this.botUserId ? this.botId : undefined,
      text: optionalString(args.text),
      blocks: asBlocks(args.blocks),
      attachments: asBlocks(args.attachments),
      metadata: isObject(args.metadata) ? args.metadata : undefined,
      reply_broadcast: args.reply_broadcast === true || args.reply_broadcast === 'true',
      deleted: false,
      postedAt: this.now(),
      args,
      history: [],
    };
    this.state.messages.push(message);
    return message;
  }

  /** Slack keeps blocks and attachments an update leaves out; an empty array removes them. */
  applyUpdate(message: FakeMessage, args: Json, via: MessageUpdate['via']): void {
    if (args.text !== undefined) message.text = optionalString(args.text);
    if (args.blocks !== undefined) message.blocks = asBlocks(args.blocks);
    if (args.attachments !== undefined) message.attachments = asBlocks(args.attachments);
    message.history.push({ at: this.now(), text: message.text, blocks: message.blocks, via, args });
  }

  /**
   * The message as Slack shows it in API responses and interaction payloads; its metadata only
   * where Slack shows it (the post's own answer, history and replies with include_all_metadata).
   */
  slackMessage(m: FakeMessage, opts: { metadata?: boolean } = {}): Json {
    return {
      type: 'message',
      ts: m.ts,
      user: m.user,
      ...(m.bot_id ? { bot_id: m.bot_id, app_id: this.appId } : {}),
      text: m.text ?? '',
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.attachments ? { attachments: m.attachments } : {}),
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(opts.metadata && m.metadata ? { metadata: m.metadata } : {}),
      team: this.teamId,
    };
  }

  storeView(
    view: Json,
    user: string | undefined,
    openedBy: FakeView['openedBy'],
    triggerId: string | undefined,
    parent: FakeView | undefined,
  ): FakeView {
    const id = `V${this.nextId()}`;
    const stored: FakeView = {
      id,
      type: String(view.type),
      user,
      callback_id: optionalString(view.callback_id),
      private_metadata: optionalString(view.private_metadata),
      external_id: optionalString(view.external_id),
      hash: this.newHash(),
      root_view_id: parent?.root_view_id ?? id,
      previous_view_id: parent?.id,
      view,
      history: [view],
      openedBy,
      trigger_id: triggerId,
    };
    this.state.views.push(stored);
    return stored;
  }

  reviseView(stored: FakeView, view: Json): void {
    stored.view = view;
    stored.history.push(view);
    stored.hash = this.newHash();
    stored.callback_id = optionalString(view.callback_id);
    stored.private_metadata = optionalString(view.private_metadata);
    stored.external_id = optionalString(view.external_id) ?? stored.external_id;
  }

  newHash(): string {
    return `${Math.floor(this.now() / 1000)}.${randomBytes(4).toString('hex')}`;
  }

  /** The view as Slack returns it from views.* and sends it in interaction payloads. */
  slackView(v: FakeView): Json {
    return {
      ...v.view,
      id: v.id,
      team_id: this.teamId,
      app_id: this.appId,
      bot_id: this.botId,
      hash: v.hash,
      root_view_id: v.root_view_id,
      previous_view_id: v.previous_view_id ?? null,
      private_metadata: v.private_metadata ?? '',
      callback_id: v.callback_id ?? '',
      external_id: v.external_id ?? '',
      state: { values: {} },
    };
  }
}
