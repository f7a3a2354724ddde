// The Slack app: Bolt with the right receiver (HTTP, or Socket Mode when SLACK_APP_TOKEN is
// set), the Web API client pointed at SLACK_API_URL, every listener, the one error handler, the
// outbox sender and the user group refresh. It serves on the one HTTP server (src/http/): its
// `/slack/events` route in HTTP mode and `/healthz` in both. Slack being unreachable at start is logged, never
// fatal: the bot identity (auth.test) is looked up in the background and again when needed.
import { App, type Authorize, type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { type HandlerDeps, registerHandlers } from '../handlers/index.ts';
import type { BotConfig } from './config.ts';
import type { Clock } from './core/clock.ts';
import type { Core } from './core.ts';
import { alertRoute } from './http/alerts.ts';
import { apiRoutes } from './http/api/index.ts';
import { createRateLimiter } from './http/api/rate-limit.ts';
import { healthRoute } from './http/health.ts';
import { createHttpServer, type HttpServer } from './http/server.ts';
import { createLogger, type Logger } from './logger.ts';
import { mcpRoutes } from './mcp/http.ts';
import type { OutboxWorker } from './outbox/worker.ts';
import { newWorkerId } from './outbox/worker-identity.ts';
import { createDeliveryService } from './services/delivery-service.ts';
import { WORKSPACE_URL_SETTING } from './services/digests/digest-service.ts';
import { recordRefusal } from './services/refusals.ts';
import { bindVerbs, type Verbs } from './services/verbs.ts';
import { createBotUserLookup, createUsergroupSync, slackActor } from './slack/actor.ts';
import { createAnswerLimit } from './slack/answer-limit.ts';
import { createSlackSender } from './slack/delivery/sender.ts';
import { createErrorHandler } from './slack/error-handler.ts';
import { createListenerTable } from './slack/listener-table.ts';
import { SlackHttpReceiver } from './slack/receiver-http.ts';
import { createSocketReceiver } from './slack/receiver-socket.ts';
import { createSlackClient } from './slack/web-client.ts';
import { createWebhookChannel } from './webhooks/channel.ts';

export interface CreateAppOptions {
  config: BotConfig;
  core: Core;
  clock?: Clock;
  logger?: Logger;
  outbox?: { channelIntervalMs?: number; pollMs?: number; backoffMs?: number; workerId?: string };
  /** How often the members of role-holding user groups are refreshed. */
  usergroupRefreshMs?: number;
  /** How long `stop()` waits for in-flight requests and the outbox. */
  shutdownTimeoutMs?: number;
  /**
   * The HTTP server to serve on (PORT); default a new one. Other surfaces add their routes to it
   * before `start()`.
   */
  http?: HttpServer;
}

export interface SlackApp {
  app: App;
  slack: WebClient;
  /** The workspace URL from auth.test (asked once, then kept): the base of permalinks. */
  workspaceUrl(): Promise<string>;
  sender: OutboxWorker;
  /** The verb table as Slack's listeners call it (user groups checked with Slack). */
  verbs: Verbs;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The HTTP server: /slack/events in HTTP mode, /healthz in both, and what others route to it. */
  http: HttpServer;
  /** The HTTP port listened on. */
  readonly port: number | undefined;
  readonly mode: 'http' | 'socket';
  /** Requests still being handled after their ack (shutdown waits for them). */
  readonly inFlight: number;
}

/** Our logger as Bolt's. */
function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const line = (args: unknown[]) =>
    args
      .map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a)))
      .join(' ');
  return {
    debug: (...a) => log.debug(`bolt: ${line(a)}`),
    info: (...a) => log.info(`bolt: ${line(a)}`),
    warn: (...a) => log.warn(`bolt: ${line(a)}`),
    error: (...a) => log.error(`bolt: ${line(a)}`),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * Bolt's authorize without auth.test at start: the bot's identity is looked up in the
 * background and cached; until it is known, requests go through with the token alone.
 */
function lazyIdentity(slack: WebClient, token: string, log: Logger, onUrl: (url: string) => Promise<void>) {
  let identity: { botUserId?: string; botId?: string } | null = null;
  let workspace: string | null = null;
  let loading: Promise<void> | null = null;
  let lastError: unknown = null;
  const load = (): Promise<void> => {
    loading ??= slack.auth
      .test()
      .then(async (r) => {
        identity = {
          ...(r.user_id ? { botUserId: r.user_id } : {}),
          ...(r.bot_id ? { botId: r.bot_id } : {}),
        };
        lastError = null;
        log.info('Connected to Slack', { botUserId: r.user_id, team: r.team });
        if (r.url && r.url !== workspace) {
          workspace = r.url;
          await onUrl(r.url).catch((err: unknown) =>
            log.warn('could not record the workspace URL', { error: String((err as Error).message ?? err) }),
          );
        }
      })
      .catch((err: unknown) => {
        lastError = err;
        log.warn(
          'Slack is unreachable or the token is refused (auth.test); will try again on the next request',
          {
            error: String((err as Error).message ?? err),
          },
        );
      })
      .finally(() => {
        loading = null;
      });
    return loading;
  };
  const authorize: Authorize<boolean> = async () => {
    if (!identity) void load();
    return { botToken: token, ...(identity ?? {}) };
  };
  /** The workspace URL (`https://acme.slack.com/`), asked once; auth.test's error when it fails. */
  const workspaceUrl = async (): Promise<string> => {
    if (!workspace) await load();
    if (workspace) return workspace;
    throw lastError ?? new Error('auth.test gave no workspace url');
  };
  return { load, authorize, workspaceUrl };
}

export function createApp(opts: CreateAppOptions): SlackApp {
  const { config, core } = opts;
  const clock = opts.clock ?? core.clock;
  const log = opts.logger ?? createLogger(config.LOG_LEVEL);
  const mode: 'http' | 'socket' = config.SLACK_APP_TOKEN ? 'socket' : 'http';
  const slack = createSlackClient({
    token: config.SLACK_BOT_TOKEN,
    slackApiUrl: config.SLACK_API_URL,
    logger: log,
  });
  const slackApiUrl = config.SLACK_API_URL ? config.SLACK_API_URL.replace(/\/?$/, '/') : undefined;
  let ready = false;

  const http = opts.http ?? createHttpServer({ logger: log });
  http.route(healthRoute(() => ready));
  const httpReceiver =
    mode === 'http'
      ? new SlackHttpReceiver({ signingSecret: config.SLACK_SIGNING_SECRET ?? '', clock, logger: log })
      : undefined;
  if (httpReceiver) http.route(httpReceiver.route);
  // Agents and tools: the HTTP API and the MCP server, with the same verbs and tokens.
  const surface = {
    store: core.store,
    verbs: core.verbs,
    runs: core.runs,
    tokens: core.tokens,
    actors: core.actors,
    clock,
    logger: log,
    limiter: createRateLimiter({ perMinute: config.API_RATE_LIMIT, clock }),
  };
  for (const route of [...apiRoutes(surface), ...mcpRoutes(surface)]) http.route(route);
  // Monitoring tools post alerts with alerts tokens (the longer prefix wins over /api/v1/*).
  http.route(
    alertRoute({
      alerts: core.alerts,
      authenticate: async (secret) => {
        const token = await core.tokens.authenticate(secret);
        return token ? { name: token.name, alerts: token.kind === 'alerts' } : null;
      },
      secrets: { pagerduty: config.PAGERDUTY_WEBHOOK_SECRET, sentry: config.SENTRY_CLIENT_SECRET },
      clock,
      logger: log,
    }),
  );
  const bolt = boltLogger(log);
  // The workspace URL is recorded so that the digests (built outside the app) link to threads.
  const identity = lazyIdentity(slack, config.SLACK_BOT_TOKEN, log, (url) =>
    core.store.transaction((repos) => repos.settings.set(WORKSPACE_URL_SETTING, url, clock())),
  );
  const app = new App({
    receiver:
      httpReceiver ?? createSocketReceiver({ appToken: config.SLACK_APP_TOKEN!, slackApiUrl, logger: bolt }),
    authorize: identity.authorize,
    logger: bolt,
    // No listener reads `context.conversation`: skip Bolt's conversation store, which looks every
    // request up in a map and builds (and throws away) a "not found" Error for each one.
    convoStore: false,
    clientOptions: { ...(slackApiUrl ? { slackApiUrl } : {}), retryConfig: { retries: 0 } },
    extendedErrorHandler: true,
  });

  const deliveries = createDeliveryService({ store: core.store, clock });
  /** Invited while the bot was down (the join event missed): what waited there goes out now. */
  async function releaseWhereInvited(): Promise<void> {
    for (const channel of await deliveries.heldChannels()) {
      const info = await slack.conversations.info({ channel }).catch(() => null);
      if (info?.channel?.is_member) await deliveries.botJoinedChannel(channel);
    }
  }
  const usergroups = createUsergroupSync({ slack, store: core.store, roles: core.roles, clock, logger: log });
  // Giving a role to a user group checks the group with Slack first.
  const verbs = bindVerbs(core, { usergroups: (id) => usergroups.lookup(id) });
  const sender = createSlackSender({
    store: core.store,
    client: slack,
    playbooks: core.playbooks,
    clock,
    log,
    workerId: opts.outbox?.workerId ?? newWorkerId(),
    ...(opts.outbox?.channelIntervalMs !== undefined
      ? { channelIntervalMs: opts.outbox.channelIntervalMs }
      : {}),
    ...(opts.outbox?.backoffMs !== undefined ? { backoffMs: opts.outbox.backoffMs } : {}),
    permalinkBase: identity.workspaceUrl,
    // Webhook events go through the same outbox, as a second delivery channel.
    otherChannels: [createWebhookChannel({ store: core.store, clock, adminUserIds: core.adminUserIds })],
  });

  let stopping = false;
  const botUsers = createBotUserLookup(slack);

  const deps: HandlerDeps = {
    verbs,
    actorOf: (body) => slackActor(core.actors, body as Record<string, unknown>, botUsers),
    answers: createAnswerLimit(clock),
    chainForCommand: core.requests.chainForCommand,
    deliveries,
    playbooks: core.playbooks,
    slack,
    logger: log,
    workspaceKnown: async () => {
      await identity.workspaceUrl().catch(() => undefined);
    },
  };

  // Requests still being handled after their ack: shutdown waits for them.
  let inFlight = 0;
  app.use(async (args) => {
    const { context, next } = args;
    const ack = (args as { ack?: unknown }).ack;
    // The error handler answers a failed view submission with field errors through it.
    if (ack) context.ack = ack;
    inFlight += 1;
    try {
      await next();
    } finally {
      inFlight -= 1;
    }
  });
  // One Bolt listener per kind, dispatching by id: see listener-table.ts.
  const listeners = createListenerTable(app);
  registerHandlers(listeners.app, deps);
  listeners.install();
  app.error(
    createErrorHandler({
      slack,
      logger: log,
      recordRefusal: (who, err) => recordRefusal({ store: core.store, clock }, who, err),
    }) as never,
  );

  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 10_000;
  let socketRetry: NodeJS.Timeout | undefined;

  async function connectSocket(attempt: number): Promise<void> {
    try {
      await app.start();
      log.info('Connected to Slack in Socket Mode');
    } catch (err) {
      if (stopping) return;
      const delay = Math.min(60_000, 1000 * 2 ** Math.min(attempt, 6));
      log.warn(`Socket Mode: cannot reach Slack; retrying in ${Math.round(delay / 1000)} s`, {
        error: String((err as Error).message ?? err),
      });
      socketRetry = setTimeout(() => void connectSocket(attempt + 1), delay);
    }
  }

  return {
    app,
    slack,
    workspaceUrl: identity.workspaceUrl,
    sender,
    verbs,
    mode,
    http,
    get port() {
      return http.port;
    },
    get inFlight() {
      return inFlight;
    },
    async start() {
      stopping = false;
      // In HTTP mode Bolt's start opens the receiver to requests; in Socket Mode it connects.
      if (httpReceiver) await app.start();
      await http.listen(config.PORT);
      if (!httpReceiver) void connectSocket(0);
      void identity.load();
      void usergroups.refreshHeld();
      void releaseWhereInvited().catch((err: unknown) =>
        log.warn('Could not check the channels where messages wait for an invitation', {
          error: String((err as Error).message ?? err),
        }),
      );
      usergroups.start(opts.usergroupRefreshMs ?? 15 * 60_000);
      sender.start(opts.outbox?.pollMs ?? 250);
      ready = true;
      log.info(`ProjectLead is listening (${mode === 'http' ? 'HTTP' : 'Socket Mode'})`, {
        port: http.port,
        database: core.store.location,
        pid: process.pid,
      });
    },
    /** Stop taking requests, let those in flight finish, drain the outbox. The caller closes the database. */
    async stop() {
      stopping = true;
      ready = false;
      if (socketRetry) clearTimeout(socketRetry);
      usergroups.stop();
      await app.stop().catch(() => undefined);
      await http.close();
      const deadline = Date.now() + shutdownTimeoutMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await sender.stop();
      const sentBefore = sender.stats().sent;
      await sender.drain(Math.max(0, deadline - Date.now()));
      const left = await core.store.read.outbox.pendingCount();
      log.info(`Outbox drained: ${sender.stats().sent - sentBefore} message(s) sent while stopping`, {
        stillOwed: left,
      });
      log.info('ProjectLead stopped');
    },
  };
}
