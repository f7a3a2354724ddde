// Plays Slack's side towards the app: builds slash commands, shortcuts, block_actions,
// view_submissions and Events API callbacks exactly as Slack shapes them, and delivers them
// either over HTTP, signed as Slack signs (`v0=hex(hmac_sha256(secret, 'v0:' + ts + ':' + body))`),
// or as Socket Mode envelopes through the fake's WebSocket. Trigger ids and response_urls
// come from the fake, so views.open accepts the former and posts to the latter are recorded.
import { createHmac, randomBytes } from 'node:crypto';
import type { FakeSlack, Json } from './fake-slack.ts';

export interface DriverResponse {
  status: number;
  body: string;
  /** The body parsed, when it is JSON (an ack with a payload: `response_action`, a command's reply, …). */
  json?: unknown;
  headers: Record<string, string>;
}

export interface SocketDriverResponse extends DriverResponse {
  envelopeId: string;
}

export interface SlashCommandInput {
  command?: string;
  text?: string;
  userId: string;
  channelId: string;
  userName?: string;
  channelName?: string;
}

export interface MessageShortcutInput {
  callbackId: string;
  userId: string;
  channelId: string;
  message: { ts: string; text: string; user: string; thread_ts?: string };
}

export interface GlobalShortcutInput {
  callbackId: string;
  userId: string;
}

export interface BlockActionInput {
  userId: string;
  actionId: string;
  /** Defaults to the value of the element with this action_id in the message (or view). */
  value?: string;
  /** For a select: the chosen option's value (the action becomes a `static_select`). */
  selectedOption?: string;
  /** Defaults to the block that holds the element with this action_id. */
  blockId?: string;
  /** A button in a message (the default), in an ephemeral message, or in a view. */
  container?: 'message' | 'ephemeral' | { viewId: string };
  channelId?: string;
  messageTs?: string;
  threadTs?: string;
}

export interface ViewSubmissionInput {
  userId: string;
  /** Defaults to the user's most recently opened modal in the fake. */
  viewId?: string;
  /** Fields laid over the stored view, e.g. `{ callback_id, private_metadata, state: { values } }`. */
  view?: Json;
  /** Shorthand for `view.state.values`: `{ [block_id]: { [action_id]: textInput('…') } }`. */
  values?: Record<string, Record<string, Json>>;
}

export interface EventOptions {
  eventId?: string;
  /** Sent as `X-Slack-Retry-Num` (HTTP) or `retry_attempt` (socket), as Slack does on redelivery. */
  retryNum?: number;
  retryReason?: string;
}

export interface RawRequest {
  body: string;
  contentType?: string;
  /** Seconds; defaults to the driver's clock. `null` leaves the header out. */
  timestamp?: number | string | null;
  /** Defaults to the correct signature. `null` leaves the header out. */
  signature?: string | null;
  headers?: Record<string, string>;
}

/** What Slack can send the app; the HTTP driver and the socket driver both implement it. */
export interface SlackSender<R> {
  slashCommand(input: SlashCommandInput): Promise<R>;
  messageShortcut(input: MessageShortcutInput): Promise<R>;
  globalShortcut(input: GlobalShortcutInput): Promise<R>;
  blockAction(input: BlockActionInput): Promise<R>;
  viewSubmission(input: ViewSubmissionInput): Promise<R>;
  viewClosed(input: { userId: string; viewId?: string }): Promise<R>;
  /** An Events API callback around `event` (`event_ts` defaults to its `ts`). */
  event(event: Json & { type: string }, opts?: EventOptions): Promise<R>;
  appHomeOpened(userId: string): Promise<R>;
  /** A fresh, unique message ts from the driver's clock, for events that carry one. */
  newTs(): string;
}

export interface SlackDriver extends SlackSender<DriverResponse> {
  raw(request: RawRequest): Promise<DriverResponse>;
  /** The same payloads, delivered as Socket Mode envelopes through `fake.socket`. */
  viaSocket(): SlackSender<SocketDriverResponse>;
}

export interface SlackDriverOptions {
  /** `http://127.0.0.1:<port>/slack/events` */
  appUrl: string;
  signingSecret: string;
  fake: FakeSlack;
  /** Milliseconds, for `X-Slack-Request-Timestamp`, `action_ts`, `event_time`. Default `Date.now`. */
  clock?: () => number;
}

export interface SocketDriverOptions {
  clock?: () => number;
  /** How long to wait for each ack. */
  timeoutMs?: number;
}

/** `v0=hex(hmac_sha256(secret, 'v0:' + timestamp + ':' + body))` */
export function signSlackRequest(signingSecret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

// Helpers for view state values, shaped as Slack sends them.
export const textInput = (value: string): Json => ({ type: 'plain_text_input', value });
export const selectedOption = (value: string, text = value): Json => ({
  type: 'static_select',
  selected_option: { text: { type: 'plain_text', text, emoji: true }, value },
});
export const selectedUser = (userId: string): Json => ({ type: 'users_select', selected_user: userId });
export const selectedUsers = (userIds: string[]): Json => ({
  type: 'multi_users_select',
  selected_users: userIds,
});

const FORM = 'application/x-www-form-urlencoded';
const VERIFICATION_TOKEN = 'fake-verification-token';

/** One delivery, independent of transport. */
type Delivery =
  | { kind: 'slash_commands'; fields: Record<string, string> }
  | { kind: 'interactive'; payload: Json; acceptsResponsePayload: boolean }
  | { kind: 'events_api'; body: Json; retryNum?: number; retryReason?: string };

export function createSlackDriver({
  appUrl,
  signingSecret,
  fake,
  clock = Date.now,
}: SlackDriverOptions): SlackDriver {
  const post = async ({ body, contentType = FORM, timestamp, signature, headers = {} }: RawRequest) => {
    const ts = timestamp === undefined ? Math.floor(clock() / 1000) : timestamp;
    const all: Record<string, string> = { 'content-type': contentType, ...headers };
    if (ts !== null) all['x-slack-request-timestamp'] = String(ts);
    if (signature !== null)
      all['x-slack-signature'] = signature ?? signSlackRequest(signingSecret, ts ?? '', body);
    const res = await fetch(appUrl, { method: 'POST', headers: all, body, redirect: 'manual' });
    return toDriverResponse(res.status, await res.text(), Object.fromEntries(res.headers));
  };
  const deliver = (d: Delivery): Promise<DriverResponse> => {
    switch (d.kind) {
      case 'slash_commands':
        return post({ body: new URLSearchParams(d.fields).toString() });
      case 'interactive':
        return post({ body: new URLSearchParams({ payload: JSON.stringify(d.payload) }).toString() });
      case 'events_api': {
        const headers: Record<string, string> = {};
        if (d.retryNum !== undefined) {
          headers['x-slack-retry-num'] = String(d.retryNum);
          headers['x-slack-retry-reason'] = d.retryReason ?? 'http_timeout';
        }
        return post({ body: JSON.stringify(d.body), contentType: 'application/json', headers });
      }
    }
  };
  return {
    ...createSender(buildPayloads(fake, clock), deliver),
    raw: post,
    viaSocket: () => createSocketDriver(fake, { clock }),
  };
}

/** Sends the driver's payloads as Socket Mode envelopes and resolves with the app's ack. */
export function createSocketDriver(
  fake: FakeSlack,
  { clock = Date.now, timeoutMs }: SocketDriverOptions = {},
): SlackSender<SocketDriverResponse> {
  const deliver = async (d: Delivery): Promise<SocketDriverResponse> => {
    const sendOpts = timeoutMs === undefined ? {} : { timeoutMs };
    const ack = await fake.socket.send(
      d.kind === 'slash_commands'
        ? { type: 'slash_commands', payload: d.fields, accepts_response_payload: true }
        : d.kind === 'interactive'
          ? { type: 'interactive', payload: d.payload, accepts_response_payload: d.acceptsResponsePayload }
          : {
              type: 'events_api',
              payload: d.body,
              accepts_response_payload: false,
              ...(d.retryNum === undefined
                ? {}
                : { retry_attempt: d.retryNum, retry_reason: d.retryReason ?? 'timeout' }),
            },
      sendOpts,
    );
    const hasPayload = ack.payload !== undefined && Object.keys(ack.payload).length > 0;
    return {
      ...toDriverResponse(
        200,
        hasPayload ? JSON.stringify(ack.payload) : '',
        hasPayload ? { 'content-type': 'application/json' } : {},
      ),
      envelopeId: ack.envelope_id,
    };
  };
  return createSender(buildPayloads(fake, clock), deliver);
}

function createSender<R>(p: Payloads, deliver: (d: Delivery) => Promise<R>): SlackSender<R> {
  return {
    slashCommand: (input) => deliver({ kind: 'slash_commands', fields: p.slashCommand(input) }),
    messageShortcut: (input) => deliver(interactive(p.messageShortcut(input))),
    globalShortcut: (input) => deliver(interactive(p.globalShortcut(input))),
    blockAction: (input) => deliver(interactive(p.blockAction(input))),
    viewSubmission: (input) => deliver(interactive(p.viewSubmission(input))),
    viewClosed: (input) => deliver(interactive(p.viewClosed(input))),
    event: (event, opts = {}) => deliver(eventsApi(p.eventCallback(event, opts), opts)),
    appHomeOpened: (userId) => deliver(eventsApi(p.eventCallback(p.appHomeOpened(userId), {}), {})),
    newTs: p.newTs,
  };
}

function interactive(payload: Json): Delivery {
  // Slack lets the app answer these in the ack (response_action); other interactions ack empty.
  return { kind: 'interactive', payload, acceptsResponsePayload: payload.type === 'view_submission' };
}

function eventsApi(body: Json, { retryNum, retryReason }: EventOptions): Delivery {
  return {
    kind: 'events_api',
    body,
    ...(retryNum === undefined ? {} : { retryNum }),
    ...(retryReason === undefined ? {} : { retryReason }),
  };
}

function toDriverResponse(status: number, body: string, headers: Record<string, string>): DriverResponse {
  const response: DriverResponse = { status, body, headers };
  if ((headers['content-type'] ?? '').includes('json') || /^[[{]/.test(body)) {
    try {
      response.json = JSON.parse(body);
    } catch {
      // not JSON after all: body carries it
    }
  }
  return response;
}

type Payloads = ReturnType<typeof buildPayloads>;

/** Payload builders shaped like Slack's, bound to the fake (ids, trigger ids, response_urls). */
function buildPayloads(fake: FakeSlack, clock: () => number) {
  let counter = 0;
  const unique = () => {
    counter += 1;
    return `${counter}${randomBytes(4).toString('hex')}`;
  };
  const newTs = (): string => {
    counter += 1;
    const ms = clock();
    return `${Math.floor(ms / 1000)}.${String(((ms % 1000) * 1000 + counter) % 1_000_000).padStart(6, '0')}`;
  };
  const team = () => ({ id: fake.teamId, domain: 'fake-team' });
  const user = (id: string) => ({
    id,
    username: id.toLowerCase(),
    name: id.toLowerCase(),
    team_id: fake.teamId,
  });
  const common = (type: string, userId: string): Json => ({
    type,
    token: VERIFICATION_TOKEN,
    api_app_id: fake.appId,
    team: team(),
    user: user(userId),
    enterprise: null,
    is_enterprise_install: false,
  });
  const channel = (id: string) => ({ id, name: id.toLowerCase() });
  const actionTs = () => (clock() / 1000).toFixed(6);

  const messageJson = (channelId: string, ts: string): Json => {
    const m = fake.message(channelId, ts);
    return m === undefined ? { type: 'message', ts, text: '' } : fake.slackMessage(m);
  };

  const viewJson = (viewId: string | undefined, userId: string): Json => {
    const stored = viewId
      ? fake.view(viewId)
      : fake.views.filter((v) => v.user === userId && v.type === 'modal').at(-1);
    return stored === undefined
      ? { id: viewId ?? `V${unique()}`, type: 'modal', state: { values: {} } }
      : fake.slackView(stored);
  };

  return {
    newTs,

    slashCommand: ({
      command = '/lead',
      text = '',
      userId,
      channelId,
      userName,
      channelName,
    }: SlashCommandInput) => ({
      token: VERIFICATION_TOKEN,
      team_id: fake.teamId,
      team_domain: 'fake-team',
      channel_id: channelId,
      channel_name: channelName ?? channelId.toLowerCase(),
      user_id: userId,
      user_name: userName ?? userId.toLowerCase(),
      command,
      text,
      api_app_id: fake.appId,
      is_enterprise_install: 'false',
      response_url: fake.createResponseUrl({ channelId, userId }),
      trigger_id: fake.issueTrigger(userId),
    }),

    messageShortcut: ({ callbackId, userId, channelId, message }: MessageShortcutInput): Json => ({
      ...common('message_action', userId),
      action_ts: actionTs(),
      callback_id: callbackId,
      trigger_id: fake.issueTrigger(userId),
      response_url: fake.createResponseUrl({
        channelId,
        userId,
        messageTs: message.ts,
        ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
      }),
      channel: channel(channelId),
      message_ts: message.ts,
      message: { type: 'message', ...message, team: fake.teamId },
    }),

    globalShortcut: ({ callbackId, userId }: GlobalShortcutInput): Json => ({
      ...common('shortcut', userId),
      action_ts: actionTs(),
      callback_id: callbackId,
      trigger_id: fake.issueTrigger(userId),
    }),

    blockAction: (input: BlockActionInput): Json => {
      const { userId, actionId, container = 'message', channelId, messageTs, threadTs } = input;
      const inView = typeof container === 'object';
      const view = inView ? viewJson(container.viewId, userId) : undefined;
      const message = !inView && channelId && messageTs ? messageJson(channelId, messageTs) : undefined;
      const found = findElement(inView ? view?.blocks : message?.blocks, actionId);
      const type =
        input.selectedOption !== undefined ? 'static_select' : String(found?.element.type ?? 'button');
      const value = input.value ?? optional(found?.element.value);
      const action: Json = {
        action_id: actionId,
        block_id: input.blockId ?? found?.blockId ?? unique(),
        type,
        action_ts: actionTs(),
        ...(type === 'button' && isObject(found?.element.text) ? { text: found.element.text } : {}),
        ...(value !== undefined ? { value } : {}),
        ...(input.selectedOption !== undefined
          ? {
              selected_option: {
                text: { type: 'plain_text', text: input.selectedOption },
                value: input.selectedOption,
              },
            }
          : {}),
      };
      const thread = threadTs ?? optional(message?.thread_ts);
      const base: Json = {
        ...common('block_actions', userId),
        trigger_id: fake.issueTrigger(userId),
        actions: [action],
        state: { values: {} },
      };
      if (inView) {
        return { ...base, container: { type: 'view', view_id: container.viewId }, view };
      }
      if (channelId === undefined || messageTs === undefined) {
        throw new Error('blockAction on a message needs channelId and messageTs');
      }
      const ephemeral = container === 'ephemeral';
      return {
        ...base,
        container: {
          type: 'message',
          message_ts: messageTs,
          channel_id: channelId,
          is_ephemeral: ephemeral,
          ...(thread ? { thread_ts: thread } : {}),
        },
        channel: channel(channelId),
        ...(ephemeral ? {} : { message }),
        response_url: fake.createResponseUrl({
          channelId,
          userId,
          messageTs,
          ...(thread ? { threadTs: thread } : {}),
        }),
      };
    },

    viewSubmission: ({ userId, viewId, view = {}, values }: ViewSubmissionInput): Json => {
      const base = viewJson(viewId, userId);
      const state = values !== undefined ? { values } : (view.state ?? { values: {} });
      return {
        ...common('view_submission', userId),
        trigger_id: fake.issueTrigger(userId),
        view: { ...base, ...view, state },
        response_urls: [],
      };
    },

    viewClosed: ({ userId, viewId }: { userId: string; viewId?: string }): Json => ({
      ...common('view_closed', userId),
      view: viewJson(viewId, userId),
      is_cleared: false,
    }),

    eventCallback: (event: Json & { type: string }, { eventId }: EventOptions): Json => {
      const eventTs = optional(event.event_ts) ?? optional(event.ts) ?? newTs();
      return {
        token: VERIFICATION_TOKEN,
        team_id: fake.teamId,
        api_app_id: fake.appId,
        event: {
          ...event,
          event_ts: eventTs,
          ...('team' in event || !('user' in event) ? {} : { team: fake.teamId }),
        },
        type: 'event_callback',
        event_id: eventId ?? `Ev${unique().toUpperCase()}`,
        event_time: Math.floor(clock() / 1000),
        authorizations: [
          {
            enterprise_id: null,
            team_id: fake.teamId,
            user_id: fake.botUserId,
            is_bot: true,
            is_enterprise_install: false,
          },
        ],
        is_ext_shared_channel: false,
        event_context: `4-${randomBytes(12).toString('hex')}`,
      };
    },

    appHomeOpened: (userId: string): Json & { type: string } => {
      const published = fake.homeViews(userId).at(-1);
      return {
        type: 'app_home_opened',
        user: userId,
        channel: fake.dmChannel(userId),
        tab: 'home',
        event_ts: newTs(),
        ...(published ? { view: published } : {}),
      };
    },
  };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optional(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The element with this action_id in blocks (actions elements or a section accessory), and its block_id. */
function findElement(
  blocks: unknown,
  actionId: string,
): { element: Json; blockId: string | undefined } | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks) {
    if (!isObject(block)) continue;
    const candidates = [
      ...(Array.isArray(block.elements) ? block.elements : []),
      block.accessory,
      block.element,
    ];
    const element = candidates.find((e): e is Json => isObject(e) && e.action_id === actionId);
    if (element) return { element, blockId: optional(block.block_id) };
  }
  return undefined;
}
