// A fake Slack for end-to-end tests: a real HTTP server on 127.0.0.1 that answers the Web API
// methods the bot calls in Slack's shapes, keeps the messages and views they produce, records
// every call, injects faults (429 with Retry-After, 500, platform errors, dropped connections,
// calls that hang, answers lost after the call took effect), takes the app's posts to
// `response_url`s and serves Socket Mode on `/socket`. Message metadata is kept as Slack keeps it:
// history and replies show it only with `include_all_metadata`.
//
// Requests are parsed as Slack parses them: form-encoded (what WebClient sends, with nested
// fields such as `blocks` JSON-encoded) or JSON, token in the `Authorization: Bearer` header or
// a `token` field. Like Slack, it rejects what real Slack would reject where that catches bugs:
// Block Kit over Slack's limits (`invalid_blocks`), modals without a title or with inputs but no
// submit (`invalid_arguments`), views.open with an unknown, reused or expired trigger_id.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';
import { type FakeSocket, FakeSocketServer } from './socket-mode.ts';

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

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'unfurls', 'user_auth_blocks']);
const PERMALINK_BASE = 'https://fake.slack.test';

class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Json = {},
  ) {
    super(code);
  }
}

function fail(code: string, extra?: Json): never {
  throw new SlackApiError(code, extra);
}

interface Trigger {
  userId: string;
  issuedAt: number;
  used: boolean;
}

interface State {
  calls: ApiCall[];
  messages: FakeMessage[];
  ephemerals: FakeEphemeral[];
  responses: ResponseUrlPost[];
  views: FakeView[];
  homeViews: Map<string, Json[]>;
  users: Map<string, FakeUser>;
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

function emptyState(strictChannels: boolean): State {
  return {
    calls: [],
    messages: [],
    ephemerals: [],
    responses: [],
    views: [],
    homeViews: new Map(),
    users: new Map(),
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

type Handler = (args: Json, token: string | undefined) => Json;

export class FakeSlack {
  readonly botUserId: string;
  readonly teamId: string;
  readonly botId: string;
  readonly appId: string;
  /** `http://127.0.0.1:<port>/api/`: what the bot gets as SLACK_API_URL. */
  readonly apiUrl: string;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly socket: FakeSocket;

  private readonly socketServer: FakeSocketServer;
  private readonly changes = new EventEmitter();
  private state: State;
  private now: () => number;
  private readonly triggerTtlMs: number;
  private readonly strictChannelsDefault: boolean;
  // Counters survive reset() so ts and ids never repeat within a process.
  private tsCounter = 0;
  private idCounter = 0;
  private readonly handlers: Record<string, Handler>;

  /** Use `startFakeSlack()`. */
  constructor(
    private readonly server: Server,
    port: number,
    opts: FakeSlackOptions,
  ) {
    this.botUserId = opts.botUserId ?? 'U0PROJLEAD';
    this.teamId = opts.teamId ?? 'T0FAKETEAM';
    this.botId = opts.botId ?? 'B0PROJLEAD';
    this.appId = opts.appId ?? 'A0PROJLEAD';
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.baseUrl}/api/`;
    this.now = opts.now ?? Date.now;
    this.triggerTtlMs = opts.triggerTtlMs ?? 3000;
    this.strictChannelsDefault = opts.strictChannels ?? false;
    this.state = emptyState(this.strictChannelsDefault);
    this.socketServer = new FakeSocketServer(port, this.appId);
    this.socket = this.socketServer;
    this.changes.setMaxListeners(0);
    this.handlers = {
      'api.test': (args) => ({ args }),
      'auth.test': () => this.authTest(),
      'apps.connections.open': (_args, token) => this.appsConnectionsOpen(token),
      'chat.postMessage': (args) => this.chatPostMessage(args),
      'chat.update': (args) => this.chatUpdate(args),
      'chat.delete': (args) => this.chatDelete(args),
      'chat.postEphemeral': (args) => this.chatPostEphemeral(args),
      'chat.getPermalink': (args) => this.chatGetPermalink(args),
      'views.open': (args) => this.viewsOpen(args, 'views.open'),
      'views.push': (args) => this.viewsOpen(args, 'views.push'),
      'views.update': (args) => this.viewsUpdate(args),
      'views.publish': (args) => this.viewsPublish(args),
      'users.info': (args) => this.usersInfo(args),
      'conversations.info': (args) => this.conversationsInfo(args),
      'conversations.open': (args) => this.conversationsOpen(args),
      'conversations.history': (args) => this.conversationsHistory(args),
      'conversations.replies': (args) => this.conversationsReplies(args),
      'usergroups.users.list': (args) => this.usergroupsUsersList(args),
      'usergroups.list': () => this.usergroupsList(),
    };
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          sendJson(res, 500, { ok: false, error: 'fake_slack_error', detail: String(error) });
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
      if (new URL(req.url ?? '/', this.baseUrl).pathname === '/socket') {
        this.socketServer.handleUpgrade(req, socket, head);
      } else {
        socket.destroy();
      }
    });
  }

  // ---------------------------------------------------------------- inspection

  /** Every Web API call, in order, faulted ones included. */
  get calls(): readonly ApiCall[] {
    return this.state.calls;
  }

  callsTo(method: string): ApiCall[] {
    return this.state.calls.filter((c) => c.method === method);
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

  /** Ephemeral messages, from chat.postEphemeral and from ephemeral response_url posts. */
  ephemerals(user?: string): FakeEphemeral[] {
    return this.state.ephemerals.filter((e) => user === undefined || e.user === user);
  }

  get responses(): readonly ResponseUrlPost[] {
    return this.state.responses;
  }

  /** Modals and home tabs, in the order they were opened; updates are applied in place. */
  get views(): readonly FakeView[] {
    return this.state.views;
  }

  view(id: string): FakeView | undefined {
    return this.state.views.find((v) => v.id === id);
  }

  /** Every home view published to the user, oldest first; the last is the one shown. */
  homeViews(user: string): Json[] {
    return this.state.homeViews.get(user) ?? [];
  }

  /**
   * Resolves with the predicate's first truthy result, checking after every change to the fake
   * (and every 10 ms, for predicates that look elsewhere). A predicate that throws counts as not
   * yet. Rejects after `timeoutMs` (default 3000) with the last calls, to show what happened.
   */
  waitFor<T>(
    predicate: (fake: FakeSlack) => T | undefined | null | false,
    { timeoutMs = 3000, what = 'condition' }: WaitForOptions = {},
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      let lastError: unknown;
      const check = (): boolean => {
        try {
          const value = predicate(this);
          if (value !== undefined && value !== null && value !== false) {
            done();
            resolve(value);
            return true;
          }
        } catch (error) {
          lastError = error;
        }
        return false;
      };
      const onChange = () => void check();
      const poll = setInterval(onChange, 10);
      const timer = setTimeout(() => {
        done();
        const recent = this.state.calls
          .slice(-10)
          .map((c) => `${c.method}${c.fault ? ' (faulted)' : ''}`)
          .join(', ');
        const cause = lastError === undefined ? '' : `; predicate last threw: ${String(lastError)}`;
        reject(
          new Error(
            `fake Slack: ${what} not met within ${timeoutMs} ms${cause}; last calls: ${recent || 'none'}`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearInterval(poll);
        clearTimeout(timer);
        this.changes.off('change', onChange);
      };
      this.changes.on('change', onChange);
      check();
    });
  }

  // ---------------------------------------------------------------- setup

  addUser(user: FakeUser): void {
    this.state.users.set(user.id, user);
  }

  addUsergroup(id: string, userIds: string[], handle = id.toLowerCase()): void {
    this.state.usergroups.set(id, { users: [...userIds], handle });
  }

  addChannel(channel: FakeChannel): void {
    this.state.channels.set(channel.id, channel);
  }

  /** A message by someone else (e.g. the one a mention or a shortcut points at), for history and threads. */
  addMessage(msg: {
    channel: string;
    user: string;
    text: string;
    ts?: string;
    thread_ts?: string;
  }): FakeMessage {
    const message = this.storeMessage(
      { channel: msg.channel, text: msg.text, ...(msg.thread_ts ? { thread_ts: msg.thread_ts } : {}) },
      msg.channel,
      msg.user,
      msg.ts,
    );
    message.bot_id = undefined;
    return message;
  }

  setStrictChannels(on: boolean): void {
    this.state.strictChannels = on;
  }

  setClock(now: () => number): void {
    this.now = now;
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

  /**
   * Makes the next `times` calls to `method` fail with the fault. `'*'` matches every Web API
   * method; `'response_url'` matches posts to response URLs. With `match.channel`, only calls
   * to that channel take it.
   */
  failNext(method: string, fault: Fault, times = 1, match: FaultMatch = {}): void {
    const queue = this.state.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push({ fault, match });
    this.state.faults.set(method, queue);
  }

  /** Requests a `hang` fault holds open now. */
  get hungCount(): number {
    return this.state.hung.size;
  }

  /** Drops the connections of the requests a `hang` fault holds open (the client sees a reset). */
  releaseHung(): void {
    for (const res of this.state.hung) res.socket?.destroy();
    this.state.hung.clear();
  }

  /** A trigger_id views.open/push accept once, within the trigger TTL (per the fake's clock). */
  issueTrigger(userId: string): string {
    const n = this.nextId();
    const id = `${Math.floor(this.now() / 1000)}.${n}.${randomBytes(16).toString('hex')}`;
    this.state.triggers.set(id, { userId, issuedAt: this.now(), used: false });
    return id;
  }

  /** A response_url on this fake; what the app posts there lands in `responses` and acts on `context`. */
  createResponseUrl(context: ResponseUrlContext): string {
    const id = `${this.nextId()}${randomBytes(6).toString('hex')}`;
    this.state.responseUrls.set(id, context);
    return `${this.baseUrl}/response/${id}`;
  }

  /** Back to the state just after start (users, channels, groups and faults included); sockets stay open. */
  reset(): void {
    this.state = emptyState(this.strictChannelsDefault);
    this.changed();
  }

  async close(): Promise<void> {
    this.releaseHung();
    await this.socketServer.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- HTTP

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const raw = await readBody(req);
    if (url.pathname.startsWith('/api/')) {
      await this.handleApi(url, req, raw, res);
    } else if (url.pathname.startsWith('/response/') && req.method === 'POST') {
      this.handleResponseUrl(url.pathname.slice('/response/'.length), req, raw, res);
    } else {
      sendJson(res, 404, { ok: false, error: 'unknown_path' });
    }
  }

  private async handleApi(url: URL, req: IncomingMessage, raw: string, res: ServerResponse): Promise<void> {
    const method = url.pathname.slice('/api/'.length);
    let args: Json;
    try {
      args = { ...Object.fromEntries(url.searchParams), ...parseBody(raw, req.headers['content-type']) };
    } catch {
      sendJson(res, 200, { ok: false, error: 'invalid_json' });
      return;
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    const call: ApiCall = { method, args, at: this.now(), token };
    const fault = this.takeFault(method, args) ?? this.takeFault('*', args);
    if (fault !== undefined) call.fault = fault;
    this.state.calls.push(call);
    if (fault !== undefined && !('lostAnswer' in fault)) {
      this.changed();
      if ('hang' in fault) this.hang(res);
      else sendFault(res, fault);
      return;
    }
    let body: Json;
    try {
      if (token === undefined || token === '') fail('not_authed');
      const handler = this.handlers[method];
      body = { ok: true, ...(handler ? handler(args, token) : {}) };
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      body = { ok: false, error: error.code, ...error.extra };
    }
    this.changed();
    if (fault !== undefined && 'lostAnswer' in fault) {
      // It took effect; the answer never reaches the caller.
      if (fault.lostAnswer === 'hang') this.hang(res);
      else res.socket?.destroy();
      return;
    }
    sendJson(res, 200, body);
  }

  private hang(res: ServerResponse): void {
    this.state.hung.add(res);
    res.on('close', () => this.state.hung.delete(res));
  }

  private handleResponseUrl(id: string, req: IncomingMessage, raw: string, res: ServerResponse): void {
    const fault = this.takeFault('response_url', {});
    if (fault !== undefined) {
      if ('hang' in fault || 'lostAnswer' in fault) this.hang(res);
      else sendFault(res, fault);
      return;
    }
    const context = this.state.responseUrls.get(id);
    if (context === undefined) {
      sendJson(res, 404, { ok: false, error: 'expired_url' });
      return;
    }
    let body: Json;
    try {
      body = parseBody(raw, req.headers['content-type'] ?? 'application/json');
    } catch {
      sendJson(res, 400, { ok: false, error: 'invalid_payload' });
      return;
    }
    const problems = body.blocks === undefined ? [] : blockProblems(body.blocks, 'message');
    if (problems.length > 0) {
      sendJson(res, 400, { ok: false, error: 'invalid_blocks', errors: problems });
      return;
    }
    this.state.responses.push({ id, url: `${this.baseUrl}/response/${id}`, at: this.now(), body, context });
    this.applyResponse(body, context);
    this.changed();
    sendJson(res, 200, { ok: true });
  }

  private applyResponse(body: Json, context: ResponseUrlContext): void {
    const original = context.messageTs ? this.message(context.channelId, context.messageTs) : undefined;
    if (body.delete_original === true || body.delete_original === 'true') {
      if (original) original.deleted = true;
    } else if ((body.replace_original === true || body.replace_original === 'true') && original) {
      this.applyUpdate(original, body, 'response_url');
    } else if (body.response_type === 'in_channel') {
      const threadTs = optionalString(body.thread_ts) ?? context.threadTs;
      this.storeMessage(
        { ...body, ...(threadTs ? { thread_ts: threadTs } : {}) },
        context.channelId,
        this.botUserId,
      );
    } else {
      this.state.ephemerals.push({
        channel: context.channelId,
        user: context.userId,
        text: optionalString(body.text),
        blocks: asBlocks(body.blocks),
        thread_ts: optionalString(body.thread_ts) ?? context.threadTs,
        message_ts: this.nextTs(),
        at: this.now(),
        via: 'response_url',
      });
    }
  }

  // ---------------------------------------------------------------- methods

  private authTest(): Json {
    return {
      url: `${PERMALINK_BASE}/`,
      team: 'Fake Team',
      user: 'projectlead',
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    };
  }

  private appsConnectionsOpen(token: string | undefined): Json {
    if (!token?.startsWith('xapp-')) fail('not_allowed_token_type');
    return { url: this.socket.url };
  }

  private chatPostMessage(args: Json): Json {
    const channel = this.usableChannel(args, 'post');
    checkMessageContent(args);
    checkMetadata(args.metadata);
    const message = this.storeMessage(args, channel, this.botUserId);
    return { channel, ts: message.ts, message: this.slackMessage(message, { metadata: true }) };
  }

  private chatUpdate(args: Json): Json {
    const channel = this.resolveChannel(requireString(args, 'channel'));
    const message = this.message(channel, requireString(args, 'ts'));
    if (message === undefined || message.deleted) fail('message_not_found');
    if (message.user !== this.botUserId) fail('cant_update_message');
    if (args.blocks !== undefined) checkMessageContent(args);
    this.applyUpdate(message, args, 'chat.update');
    return { channel, ts: message.ts, text: message.text ?? '', message: this.slackMessage(message) };
  }

  private chatDelete(args: Json): Json {
    const channel = this.resolveChannel(requireString(args, 'channel'));
    const message = this.message(channel, requireString(args, 'ts'));
    if (message === undefined || message.deleted) fail('message_not_found');
    if (message.user !== this.botUserId) fail('cant_delete_message');
    message.deleted = true;
    return { channel, ts: message.ts };
  }

  private chatPostEphemeral(args: Json): Json {
    const channel = this.usableChannel(args, 'post');
    const user = requireString(args, 'user');
    checkMessageContent(args);
    const messageTs = this.nextTs();
    this.state.ephemerals.push({
      channel,
      user,
      text: optionalString(args.text),
      blocks: asBlocks(args.blocks),
      thread_ts: optionalString(args.thread_ts),
      message_ts: messageTs,
      at: this.now(),
      via: 'chat.postEphemeral',
    });
    return { message_ts: messageTs };
  }

  private chatGetPermalink(args: Json): Json {
    const channel = this.resolveChannel(requireString(args, 'channel'));
    const ts = requireString(args, 'message_ts');
    const threadTs = this.message(channel, ts)?.thread_ts;
    const query = threadTs && threadTs !== ts ? `?thread_ts=${threadTs}&cid=${channel}` : '';
    return { channel, permalink: `${PERMALINK_BASE}/archives/${channel}/p${ts.replace('.', '')}${query}` };
  }

  private viewsOpen(args: Json, via: 'views.open' | 'views.push'): Json {
    const triggerId = requireString(args, 'trigger_id');
    const trigger = this.state.triggers.get(triggerId);
    if (trigger === undefined) fail('invalid_trigger_id');
    if (trigger.used) fail('exchanged_trigger_id');
    if (this.now() - trigger.issuedAt > this.triggerTtlMs) fail('expired_trigger_id');
    const view = requireView(args);
    trigger.used = true;
    const parent =
      via === 'views.push'
        ? this.state.views.filter((v) => v.user === trigger.userId && v.type === 'modal').at(-1)
        : undefined;
    const stored = this.storeView(view, trigger.userId, via, triggerId, parent);
    return { view: this.slackView(stored) };
  }

  private viewsUpdate(args: Json): Json {
    const viewId = optionalString(args.view_id);
    const externalId = optionalString(args.external_id);
    if (viewId === undefined && externalId === undefined) fail('invalid_arguments');
    const stored = this.state.views.find((v) =>
      viewId !== undefined ? v.id === viewId : v.external_id === externalId,
    );
    if (stored === undefined) fail('not_found');
    if (args.hash !== undefined && args.hash !== stored.hash) fail('hash_conflict');
    const view = requireView(args);
    this.reviseView(stored, view);
    return { view: this.slackView(stored) };
  }

  private viewsPublish(args: Json): Json {
    const user = requireString(args, 'user_id');
    const view = requireView(args);
    if (view.type !== 'home')
      fail('invalid_arguments', { response_metadata: { messages: ['view.type must be home'] } });
    let stored = this.state.views.find((v) => v.type === 'home' && v.user === user);
    if (stored === undefined) {
      stored = this.storeView(view, user, 'views.publish', undefined, undefined);
    } else {
      if (args.hash !== undefined && args.hash !== stored.hash) fail('hash_conflict');
      this.reviseView(stored, view);
    }
    this.state.homeViews.set(user, [...this.homeViews(user), view]);
    return { view: this.slackView(stored) };
  }

  private usersInfo(args: Json): Json {
    const id = requireString(args, 'user');
    if (!/^[UWB]/.test(id)) fail('user_not_found');
    const user =
      this.state.users.get(id) ??
      (id === this.botUserId
        ? { id, name: 'projectlead', isBot: true }
        : { id, name: `user-${id.toLowerCase()}` });
    const tz = user.tz ?? 'UTC';
    const realName = user.realName ?? user.name;
    return {
      user: {
        id: user.id,
        team_id: this.teamId,
        name: user.name,
        real_name: realName,
        deleted: user.deleted ?? false,
        is_bot: user.isBot ?? false,
        is_admin: false,
        tz,
        tz_label: tz,
        tz_offset: tzOffsetSeconds(tz, this.now()),
        profile: {
          real_name: realName,
          display_name: user.name,
          ...(user.email ? { email: user.email } : {}),
          ...(user.isBot ? { bot_id: this.botId } : {}),
        },
      },
    };
  }

  private conversationsInfo(args: Json): Json {
    const id = this.resolveChannel(requireString(args, 'channel'));
    const channel = this.state.channels.get(id);
    if (channel === undefined && this.state.strictChannels) fail('channel_not_found');
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

  private conversationsOpen(args: Json): Json {
    const channel = optionalString(args.channel);
    if (channel !== undefined) return { channel: { id: channel }, no_op: true, already_open: true };
    const user = requireString(args, 'users').split(',')[0]?.trim() ?? '';
    if (user === '') fail('users_list_not_supplied');
    const existed = this.state.dms.has(user);
    return { channel: { id: this.dmChannel(user) }, no_op: existed, already_open: existed };
  }

  private conversationsHistory(args: Json): Json {
    const channel = this.usableChannel(args, 'read');
    const top = this.messages(channel)
      .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
      .filter(inTimeRange(args))
      .reverse();
    return this.page(top, args, true);
  }

  /** The thread's parent first, then its replies in the time range, oldest first. */
  private conversationsReplies(args: Json): Json {
    const channel = this.usableChannel(args, 'read');
    const ts = requireString(args, 'ts');
    const thread = this.thread(channel, ts);
    if (thread.length === 0) fail('thread_not_found');
    const parent = thread.filter((m) => m.ts === ts);
    const replies = thread.filter((m) => m.ts !== ts).filter(inTimeRange(args));
    return this.page([...parent, ...replies], args, false);
  }

  /** Cursor pagination as Slack's: `limit` (default 100, at most 1000), `response_metadata.next_cursor`. */
  private page(messages: FakeMessage[], args: Json, history: boolean): Json {
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
      messages: slice.map((m) => this.slackMessage(m, { metadata: withMetadata })),
      has_more: more,
      ...(history ? { pin_count: 0 } : {}),
      response_metadata: {
        next_cursor: more ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '',
      },
    };
  }

  private usergroupsUsersList(args: Json): Json {
    const group = this.state.usergroups.get(requireString(args, 'usergroup'));
    if (group === undefined) fail('no_such_subteam');
    return { users: [...group.users] };
  }

  private usergroupsList(): Json {
    return {
      usergroups: [...this.state.usergroups].map(([id, g]) => ({
        id,
        team_id: this.teamId,
        handle: g.handle,
        name: g.handle,
        users: [...g.users],
        user_count: g.users.length,
      })),
    };
  }

  // ---------------------------------------------------------------- helpers

  private changed(): void {
    this.changes.emit('change');
  }

  private takeFault(key: string, args: Json): Fault | undefined {
    const queue = this.state.faults.get(key);
    const i =
      queue?.findIndex((f) => f.match.channel === undefined || f.match.channel === args.channel) ?? -1;
    if (queue === undefined || i < 0) return undefined;
    return queue.splice(i, 1)[0]!.fault;
  }

  private nextId(): string {
    this.idCounter += 1;
    return String(this.idCounter).padStart(8, '0');
  }

  /** The time of posting as Slack writes it (`1793610000.000100`): unique and increasing. */
  private nextTs(): string {
    this.tsCounter = Math.max(this.tsCounter + 1, Math.floor(this.now()) * 1000);
    const micros = this.tsCounter;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  /** Channel ids pass through; a user id means the DM with that user; `#name` looks the channel up. */
  private resolveChannel(channel: string): string {
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
  private usableChannel(args: Json, use: 'post' | 'read'): string {
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

  private storeMessage(args: Json, channel: string, user: string, ts = this.nextTs()): FakeMessage {
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
  private applyUpdate(message: FakeMessage, args: Json, via: MessageUpdate['via']): void {
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

  private storeView(
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

  private reviseView(stored: FakeView, view: Json): void {
    stored.view = view;
    stored.history.push(view);
    stored.hash = this.newHash();
    stored.callback_id = optionalString(view.callback_id);
    stored.private_metadata = optionalString(view.private_metadata);
    stored.external_id = optionalString(view.external_id) ?? stored.external_id;
  }

  private newHash(): string {
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

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return new FakeSlack(server, port, opts);
}

/** The message's text and every `text` inside its blocks, joined: for asserting what a user sees. */
export function visibleText(message: { text?: string | undefined; blocks?: Json[] | undefined }): string {
  const parts: string[] = message.text ? [message.text] : [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'text' && typeof value === 'string') parts.push(value);
        else walk(value);
      }
    }
  };
  walk(message.blocks);
  return parts.join('\n');
}

// ------------------------------------------------------------------ parsing and validation

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** JSON bodies as they are; form bodies with the JSON-encoded fields WebClient sends decoded again. */
function parseBody(raw: string, contentType: string | undefined): Json {
  if (raw.trim() === '') return {};
  if (contentType?.startsWith('application/json')) {
    const value: unknown = JSON.parse(raw);
    if (!isObject(value)) throw new Error('JSON body is not an object');
    return value;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(parseQueryString(raw))) {
    const text = Array.isArray(value) ? (value.at(-1) ?? '') : (value ?? '');
    out[key] = JSON_FIELDS.has(key) ? parseJsonField(text) : text;
  }
  return out;
}

function parseJsonField(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: Json,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function sendFault(
  res: ServerResponse,
  fault: Exclude<Fault, { hang: true } | { lostAnswer: unknown }>,
): void {
  if ('networkDrop' in fault) {
    res.socket?.destroy();
  } else if ('error' in fault) {
    sendJson(res, 200, { ok: false, error: fault.error });
  } else if (fault.status === 429) {
    sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter) });
  } else {
    sendJson(res, 500, { ok: false, error: 'internal_error' });
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function requireString(args: Json, key: string): string {
  return optionalString(args[key]) ?? fail(key === 'channel' ? 'channel_not_found' : 'invalid_arguments');
}

function asBlocks(value: unknown): Json[] | undefined {
  return Array.isArray(value) ? value.filter(isObject) : undefined;
}

function checkMessageContent(args: Json): void {
  const hasText = typeof args.text === 'string' && args.text !== '';
  if (!hasText && args.blocks === undefined && args.attachments === undefined) fail('no_text');
  if (args.blocks === undefined) return;
  const problems = blockProblems(args.blocks, 'message');
  if (problems.length > 0) {
    fail('invalid_blocks', {
      errors: problems,
      response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
    });
  }
}

/** Slack's check of `metadata`: an `event_type` (letters, digits, underscores) and an object payload. */
function checkMetadata(metadata: unknown): void {
  if (metadata === undefined) return;
  if (
    !isObject(metadata) ||
    typeof metadata.event_type !== 'string' ||
    !/^[A-Za-z0-9_]{1,255}$/.test(metadata.event_type) ||
    !isObject(metadata.event_payload)
  ) {
    fail('invalid_metadata_format');
  }
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** `oldest`/`latest` as Slack applies them: exclusive unless `inclusive`. */
function inTimeRange(args: Json): (m: FakeMessage) => boolean {
  const oldest = optionalString(args.oldest);
  const latest = optionalString(args.latest);
  if (oldest !== undefined && !/^\d+(\.\d*)?$/.test(oldest)) fail('invalid_ts_oldest');
  if (latest !== undefined && !/^\d+(\.\d*)?$/.test(latest)) fail('invalid_ts_latest');
  const inclusive = isTrue(args.inclusive);
  const at = (ts: string) => {
    const [seconds = '0', micros = ''] = ts.split('.');
    return BigInt(seconds || '0') * 1_000_000n + BigInt(micros.padEnd(6, '0').slice(0, 6) || '0');
  };
  return (m) =>
    (oldest === undefined || (inclusive ? at(m.ts) >= at(oldest) : at(m.ts) > at(oldest))) &&
    (latest === undefined || (inclusive ? at(m.ts) <= at(latest) : at(m.ts) < at(latest)));
}

function requireView(args: Json): Json {
  const view = args.view;
  if (!isObject(view))
    fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing view'] } });
  const problems = viewProblems(view);
  if (problems.length > 0) {
    fail('invalid_arguments', { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
  }
  return view;
}

/** The Block Kit limits Slack enforces that a bot realistically trips over. */
function blockProblems(blocks: unknown, surface: 'message' | 'modal' | 'home'): string[] {
  if (!Array.isArray(blocks)) return ['blocks must be an array [json-pointer:/blocks]'];
  const problems: string[] = [];
  const max = surface === 'message' ? 50 : 100;
  if (blocks.length > max) problems.push(`no more than ${max} items allowed [json-pointer:/blocks]`);
  const blockIds = new Set<string>();
  blocks.forEach((block: unknown, i) => {
    const at = `[json-pointer:/blocks/${i}]`;
    if (!isObject(block) || typeof block.type !== 'string') {
      problems.push(`block must be an object with a type ${at}`);
      return;
    }
    if (typeof block.block_id === 'string') {
      if (block.block_id.length > 255) problems.push(`block_id must be at most 255 characters ${at}`);
      if (blockIds.has(block.block_id)) problems.push(`duplicate block_id ${block.block_id} ${at}`);
      blockIds.add(block.block_id);
    }
    const textOf = (v: unknown) => (isObject(v) && typeof v.text === 'string' ? v.text : undefined);
    const checkText = (v: unknown, limit: number, where: string) => {
      const text = textOf(v);
      if (text !== undefined && text.length > limit) {
        problems.push(`must be less than ${limit + 1} characters [json-pointer:/blocks/${i}/${where}]`);
      }
    };
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined)
          problems.push(`section needs text or fields ${at}`);
        if (block.text !== undefined && textOf(block.text) === '')
          problems.push(`section text must not be empty ${at}`);
        checkText(block.text, 3000, 'text/text');
        if (Array.isArray(block.fields)) {
          if (block.fields.length > 10) problems.push(`no more than 10 fields allowed ${at}`);
          for (const [j, f] of block.fields.entries()) checkText(f, 2000, `fields/${j}/text`);
        }
        if (block.accessory !== undefined)
          problems.push(...elementProblems(block.accessory, `${i}/accessory`));
        break;
      }
      case 'header':
        checkText(block.text, 150, 'text/text');
        break;
      case 'context':
        if (Array.isArray(block.elements) && block.elements.length > 10) {
          problems.push(`no more than 10 context elements allowed ${at}`);
        }
        break;
      case 'actions': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > 25)
          problems.push(`actions needs 1 to 25 elements ${at}`);
        const actionIds = new Set<string>();
        elements.forEach((element: unknown, j) => {
          problems.push(...elementProblems(element, `${i}/elements/${j}`));
          const actionId = isObject(element) ? element.action_id : undefined;
          if (typeof actionId === 'string') {
            if (actionIds.has(actionId)) problems.push(`duplicate action_id ${actionId} ${at}`);
            actionIds.add(actionId);
          }
        });
        break;
      }
      case 'input':
        if (block.element === undefined) problems.push(`input needs an element ${at}`);
        checkText(block.label, 2000, 'label/text');
        break;
    }
  });
  return problems;
}

function elementProblems(element: unknown, path: string): string[] {
  const at = `[json-pointer:/blocks/${path}]`;
  if (!isObject(element)) return [`element must be an object ${at}`];
  const problems: string[] = [];
  if (typeof element.action_id === 'string' && element.action_id.length > 255) {
    problems.push(`action_id must be at most 255 characters ${at}`);
  }
  if (element.type === 'button') {
    const text = isObject(element.text) ? element.text.text : undefined;
    if (typeof text !== 'string' || text === '' || text.length > 75)
      problems.push(`button text must be 1 to 75 characters ${at}`);
    if (typeof element.value === 'string' && element.value.length > 2000) {
      problems.push(`button value must be at most 2000 characters ${at}`);
    }
  }
  return problems;
}

function viewProblems(view: Json): string[] {
  const problems: string[] = [];
  if (view.type !== 'modal' && view.type !== 'home') return ['view.type must be modal or home'];
  const surface = view.type;
  const plainText = (v: unknown) =>
    isObject(v) && v.type === 'plain_text' && typeof v.text === 'string' ? v.text : undefined;
  if (surface === 'modal') {
    const title = plainText(view.title);
    if (title === undefined || title === '' || title.length > 24) {
      problems.push('title must be plain_text of 1 to 24 characters [json-pointer:/view/title]');
    }
    for (const key of ['submit', 'close'] as const) {
      const text = plainText(view[key]);
      if (view[key] !== undefined && (text === undefined || text.length > 24)) {
        problems.push(`${key} must be plain_text of at most 24 characters [json-pointer:/view/${key}]`);
      }
    }
    const hasInput =
      Array.isArray(view.blocks) && view.blocks.some((b: unknown) => isObject(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) problems.push('submit is required when blocks contain inputs');
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) {
    problems.push('private_metadata must be at most 3000 characters');
  }
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) {
    problems.push('callback_id must be at most 255 characters');
  }
  problems.push(...blockProblems(view.blocks ?? [], surface));
  return problems;
}

function tzOffsetSeconds(tz: string, at: number): number {
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
    if (!m) return 0;
    return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
  } catch {
    return 0;
  }
}
