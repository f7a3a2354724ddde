// A stand-in for Slack, for the end-to-end tests and the sandbox: a real HTTP server on 127.0.0.1
// that answers the Web API methods the bot calls in Slack's shapes, keeps the messages and views
// they produce, records every call, injects faults (429 with Retry-After, 500, platform errors, dropped connections,
// calls that hang, answers lost after the call took effect), takes the app's posts to
// `response_url`s and serves Socket Mode on `/socket`. Message metadata is kept as Slack keeps it:
// history and replies show it only with `include_all_metadata`.
//
// Requests are parsed as Slack parses them: form-encoded (what WebClient sends, with nested
// fields such as `blocks` JSON-encoded) or JSON, token in the `Authorization: Bearer` header or
// a `token` field. Like Slack, it rejects what real Slack would reject where that catches bugs:
// Block Kit over Slack's limits (`invalid_blocks`), modals without a title or with inputs but no
// submit (`invalid_arguments`), views.open with an unknown, reused or expired trigger_id.
//
// This module is the server, the inspection and setup API and the response_url endpoint; the
// Web API methods live by family beside it (chat, views, workspace), on one shared store. The
// sandbox (src/sandbox/) runs the bot against it; the tests reach it through test/support/.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatMethods } from './chat.ts';
import { blockProblems } from './checks.ts';
import { FakeFiles } from './files.ts';
import { type FakeSocket, FakeSocketServer } from './socket-mode.ts';
import { emptyState, type Handler, SlackStore } from './store.ts';
import type {
  ApiCall,
  FakeChannel,
  FakeEphemeral,
  FakeMessage,
  FakeSlackOptions,
  FakeUser,
  FakeView,
  Fault,
  FaultMatch,
  Json,
  ResponseUrlContext,
  ResponseUrlPost,
  WaitForOptions,
  WorkspaceSnapshot,
} from './types.ts';
import { viewsMethods } from './views.ts';
import {
  asBlocks,
  fail,
  isObject,
  optionalString,
  parseBody,
  readBody,
  SlackApiError,
  sendFault,
  sendJson,
} from './wire.ts';
import { workspaceMethods } from './workspace.ts';

export type * from './types.ts';

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
  private readonly store: SlackStore;
  private readonly strictChannelsDefault: boolean;
  private readonly handlers: Record<string, Handler>;
  /** Files uploaded (files.getUploadURLExternal, the upload URL, files.completeUploadExternal). */
  readonly files: FakeFiles;

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
    this.strictChannelsDefault = opts.strictChannels ?? false;
    this.store = new SlackStore(
      { botUserId: this.botUserId, teamId: this.teamId, botId: this.botId, appId: this.appId },
      opts.now ?? Date.now,
      this.strictChannelsDefault,
    );
    this.socketServer = new FakeSocketServer(port, this.appId);
    this.socket = this.socketServer;
    this.files = new FakeFiles(this.store, this.baseUrl);
    this.handlers = {
      ...this.files.methods(),
      'api.test': (args) => ({ args }),
      'apps.connections.open': (_args, token) => this.appsConnectionsOpen(token),
      ...chatMethods(this.store),
      ...viewsMethods(this.store, opts.triggerTtlMs ?? 3000),
      ...workspaceMethods(this.store),
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
    return this.store.state.calls;
  }

  callsTo(method: string): ApiCall[] {
    return this.store.state.calls.filter((c) => c.method === method);
  }

  /** Messages not deleted, in posting order, with their updates applied; all channels when none given. */
  messages(channel?: string): FakeMessage[] {
    return this.store.messages(channel);
  }

  /** One message, deleted or not. */
  message(channel: string, ts: string): FakeMessage | undefined {
    return this.store.message(channel, ts);
  }

  /** The thread's parent (when the fake knows it) and its replies, oldest first. */
  thread(channel: string, ts: string): FakeMessage[] {
    return this.store.thread(channel, ts);
  }

  /** Ephemeral messages, from chat.postEphemeral and from ephemeral response_url posts. */
  ephemerals(user?: string): FakeEphemeral[] {
    return this.store.state.ephemerals.filter((e) => user === undefined || e.user === user);
  }

  get responses(): readonly ResponseUrlPost[] {
    return this.store.state.responses;
  }

  /** Modals and home tabs, in the order they were opened; updates are applied in place. */
  get views(): readonly FakeView[] {
    return this.store.state.views;
  }

  view(id: string): FakeView | undefined {
    return this.store.state.views.find((v) => v.id === id);
  }

  /** Every home view published to the user, oldest first; the last is the one shown. */
  homeViews(user: string): Json[] {
    return this.store.state.homeViews.get(user) ?? [];
  }

  /**
   * Resolves with the predicate's first truthy result, checking after every change to the fake
   * (and every 10 ms, for predicates that look elsewhere). A predicate that throws counts as not
   * yet. Rejects after `timeoutMs` (default 10 s: only a test that fails waits it out) with the
   * last calls, to show what happened.
   */
  waitFor<T>(
    predicate: (fake: FakeSlack) => T | undefined | null | false,
    { timeoutMs = 10_000, what = 'condition' }: WaitForOptions = {},
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
        const recent = this.store.state.calls
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
        this.store.changes.off('change', onChange);
      };
      this.store.changes.on('change', onChange);
      check();
    });
  }

  /** Calls `listener` after every change (a Web API call, a response_url post, a setup call); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.store.changes.on('change', listener);
    return () => this.store.changes.off('change', listener);
  }

  // ---------------------------------------------------------------- setup

  addUser(user: FakeUser): void {
    this.store.state.users.set(user.id, user);
  }

  addUsergroup(id: string, userIds: string[], handle = id.toLowerCase()): void {
    this.store.state.usergroups.set(id, { users: [...userIds], handle });
  }

  /** Another app's bot (an agent): its bot user, known to users.info as a bot, and to bots.info. */
  addBot(bot: { botId: string; userId: string; name: string; appId?: string }): void {
    this.store.state.bots.set(bot.botId, {
      userId: bot.userId,
      name: bot.name,
      appId: bot.appId ?? `A${bot.botId.slice(1)}`,
    });
    this.store.state.users.set(bot.userId, { id: bot.userId, name: bot.name, isBot: true });
  }

  addChannel(channel: FakeChannel): void {
    this.store.state.channels.set(channel.id, channel);
  }

  /** A message by someone else (e.g. the one a mention or a shortcut points at), for history and threads. */
  addMessage(msg: {
    channel: string;
    user: string;
    text: string;
    ts?: string;
    thread_ts?: string;
    /** What Slack's composer adds: the text as a `rich_text` block. */
    blocks?: Json[];
  }): FakeMessage {
    const message = this.store.storeMessage(
      {
        channel: msg.channel,
        text: msg.text,
        ...(msg.thread_ts ? { thread_ts: msg.thread_ts } : {}),
        ...(msg.blocks ? { blocks: msg.blocks } : {}),
      },
      msg.channel,
      msg.user,
      msg.ts,
    );
    message.bot_id = undefined;
    this.store.changed();
    return message;
  }

  setStrictChannels(on: boolean): void {
    this.store.state.strictChannels = on;
  }

  setClock(now: () => number): void {
    this.store.now = now;
  }

  /** The DM channel between the bot and the user (what conversations.open returns). */
  dmChannel(userId: string): string {
    return this.store.dmChannel(userId);
  }

  /**
   * Makes the next `times` calls to `method` fail with the fault. `'*'` matches every Web API
   * method; `'response_url'` matches posts to response URLs. With `match.channel`, only calls
   * to that channel take it.
   */
  failNext(method: string, fault: Fault, times = 1, match: FaultMatch = {}): void {
    const queue = this.store.state.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push({ fault, match });
    this.store.state.faults.set(method, queue);
  }

  /** Requests a `hang` fault holds open now. */
  get hungCount(): number {
    return this.store.state.hung.size;
  }

  /** Drops the connections of the requests a `hang` fault holds open (the client sees a reset). */
  releaseHung(): void {
    for (const res of this.store.state.hung) res.socket?.destroy();
    this.store.state.hung.clear();
  }

  /** A trigger_id views.open/push accept once, within the trigger TTL (per the fake's clock). */
  issueTrigger(userId: string): string {
    const n = this.store.nextId();
    const id = `${Math.floor(this.store.now() / 1000)}.${n}.${randomBytes(16).toString('hex')}`;
    this.store.state.triggers.set(id, { userId, issuedAt: this.store.now(), used: false });
    return id;
  }

  /** A response_url on this fake; what the app posts there lands in `responses` and acts on `context`. */
  createResponseUrl(context: ResponseUrlContext): string {
    const id = `${this.store.nextId()}${randomBytes(6).toString('hex')}`;
    this.store.state.responseUrls.set(id, context);
    return `${this.baseUrl}/response/${id}`;
  }

  /** Back to the state just after start (users, channels, groups and faults included); sockets stay open. */
  /**
   * What the workspace holds that a restart would lose: its messages (threads, updates and all),
   * the ephemerals, the DMs and the counters. The channels, people and groups are set up again
   * at each start (`addChannel`, `addUser`); open modals and App Home are not kept.
   */
  snapshot(): WorkspaceSnapshot {
    return {
      version: 1,
      messages: this.store.state.messages,
      ephemerals: this.store.state.ephemerals,
      dms: [...this.store.state.dms],
      counters: this.store.counters(),
    };
  }

  /** A snapshot taken before a restart, added back: before any message of this start. */
  restore(snapshot: WorkspaceSnapshot): void {
    const { state } = this.store;
    state.messages = [...snapshot.messages, ...state.messages];
    state.ephemerals = [...snapshot.ephemerals, ...state.ephemerals];
    for (const [user, id] of snapshot.dms) {
      state.dms.set(user, id);
      state.channels.set(id, { id, name: user, user });
    }
    this.store.raiseCounters(snapshot.counters);
    this.store.changed();
  }

  reset(): void {
    this.store.state = emptyState(this.strictChannelsDefault);
    this.store.changed();
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
    if (url.pathname.startsWith('/upload/')) return this.files.receive(url.pathname.slice(8), req, res);
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
    const call: ApiCall = { method, args, at: this.store.now(), token };
    const fault = this.store.takeFault(method, args) ?? this.store.takeFault('*', args);
    if (fault !== undefined) call.fault = fault;
    this.store.state.calls.push(call);
    if (fault !== undefined && !('lostAnswer' in fault)) {
      this.store.changed();
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
    this.store.changed();
    if (fault !== undefined && 'lostAnswer' in fault) {
      // It took effect; the answer never reaches the caller.
      if (fault.lostAnswer === 'hang') this.hang(res);
      else res.socket?.destroy();
      return;
    }
    sendJson(res, 200, body);
  }

  private hang(res: ServerResponse): void {
    this.store.state.hung.add(res);
    res.on('close', () => this.store.state.hung.delete(res));
  }

  private handleResponseUrl(id: string, req: IncomingMessage, raw: string, res: ServerResponse): void {
    const fault = this.store.takeFault('response_url', {});
    if (fault !== undefined) {
      if ('hang' in fault || 'lostAnswer' in fault) this.hang(res);
      else sendFault(res, fault);
      return;
    }
    const context = this.store.state.responseUrls.get(id);
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
    this.store.state.responses.push({
      id,
      url: `${this.baseUrl}/response/${id}`,
      at: this.store.now(),
      body,
      context,
    });
    this.applyResponse(body, context);
    this.store.changed();
    sendJson(res, 200, { ok: true });
  }

  private applyResponse(body: Json, context: ResponseUrlContext): void {
    const original = context.messageTs ? this.message(context.channelId, context.messageTs) : undefined;
    if (body.delete_original === true || body.delete_original === 'true') {
      if (original) original.deleted = true;
    } else if ((body.replace_original === true || body.replace_original === 'true') && original) {
      this.store.applyUpdate(original, body, 'response_url');
    } else if (body.response_type === 'in_channel') {
      const threadTs = optionalString(body.thread_ts) ?? context.threadTs;
      this.store.storeMessage(
        { ...body, ...(threadTs ? { thread_ts: threadTs } : {}) },
        context.channelId,
        this.botUserId,
      );
    } else {
      this.store.state.ephemerals.push({
        channel: context.channelId,
        user: context.userId,
        text: optionalString(body.text),
        blocks: asBlocks(body.blocks),
        thread_ts: optionalString(body.thread_ts) ?? context.threadTs,
        message_ts: this.store.nextTs(),
        at: this.store.now(),
        via: 'response_url',
      });
    }
  }

  private appsConnectionsOpen(token: string | undefined): Json {
    if (!token?.startsWith('xapp-')) fail('not_allowed_token_type');
    return { url: this.socket.url };
  }

  /**
   * The message as Slack shows it in API responses and interaction payloads; its metadata only
   * where Slack shows it (the post's own answer, history and replies with include_all_metadata).
   */
  slackMessage(m: FakeMessage, opts: { metadata?: boolean } = {}): Json {
    return this.store.slackMessage(m, opts);
  }

  /** The view as Slack returns it from views.* and sends it in interaction payloads. */
  slackView(v: FakeView): Json {
    return this.store.slackView(v);
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
