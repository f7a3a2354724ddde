// The sandbox: the real bot (core, Slack app, timers, digests) against the Slack stand-in, all
// in one process on 127.0.0.1, with the page that plays every person (routes.ts). The bot's
// clock is the sandbox's: real time plus what the page moved it forward by; moving it runs the
// timers and the digests that fell due at once. The database is its own file.
import { randomBytes } from 'node:crypto';
import { createApp, type SlackApp } from '../app.ts';
import { loadBotConfig } from '../config.ts';
import { type Core, createCore } from '../core.ts';
import { createHttpServer } from '../http/server.ts';
import { createJobs } from '../jobs/jobs.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { createSlackDriver } from '../slack-standin/driver.ts';
import { type FakeSlack, startFakeSlack } from '../slack-standin/fake-slack.ts';
import { keepWorkspace, type WorkspaceKeeper } from './kept-workspace.ts';
import { pageState } from './page-state.ts';
import { sandboxRoutes } from './routes.ts';
import { createUserActions, type UserActions } from './user-actions.ts';
import {
  ADMIN_ID,
  DIGEST_CHANNEL,
  furnish,
  INCIDENT_CHANNEL,
  personFor,
  type SandboxPerson,
  sandboxPeople,
} from './workspace.ts';

export const SANDBOX_HOST = '127.0.0.1';
export const DEFAULT_SANDBOX_DB = './data/sandbox.sqlite';
/** How often the timers and digests are looked at without a clock move. */
const TICK_MS = 5_000;

/** Real time from `start`, plus what the page added. */
export class SandboxClock {
  private readonly startedAt = Date.now();
  private offsetMs = 0;
  constructor(private readonly start = Date.now()) {}
  now = (): number => this.start + (Date.now() - this.startedAt) + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface SandboxOptions {
  /** DATABASE_URL, PORT, LOG_LEVEL, PLAYBOOKS_DIR, ROLES_FILE and the digest and work time settings. */
  env?: Record<string, string | undefined>;
  clock?: SandboxClock;
  logger?: Logger;
}

export interface Sandbox {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  port: number;
  clock: SandboxClock;
  standin: FakeSlack;
  core: Core;
  app: SlackApp;
  people: readonly SandboxPerson[];
  actions: UserActions;
  /** Move the clock forward and fire what fell due. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

const PASSED_THROUGH = [
  'DATABASE_URL',
  'PORT',
  'LOG_LEVEL',
  'PLAYBOOKS_DIR',
  'ROLES_FILE',
  'DIGEST_DAILY_CRON',
  'DIGEST_WEEKLY_CRON',
  'DIGEST_TIMEZONE',
  'WORK_TIMEZONE',
] as const;

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const env = opts.env ?? process.env;
  const clock = opts.clock ?? new SandboxClock();
  const logger = opts.logger ?? silentLogger;
  // A trigger_id lives 3 s in Slack; a loaded machine gets more.
  const standin = await startFakeSlack({ now: clock.now, triggerTtlMs: 15_000 });
  const signingSecret = randomBytes(16).toString('hex');
  const passed = Object.fromEntries(PASSED_THROUGH.flatMap((k) => (env[k] ? [[k, env[k]]] : [])));
  const config = loadBotConfig({
    DATABASE_URL: DEFAULT_SANDBOX_DB,
    PORT: '3000',
    // Every day, so a moved clock shows a digest whatever the weekday.
    DIGEST_DAILY_CRON: '0 9 * * *',
    ...passed,
    SLACK_BOT_TOKEN: 'xoxb-sandbox',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: standin.apiUrl,
    ADMIN_USER_IDS: ADMIN_ID,
    DIGEST_CHANNEL,
    // Alerts posted to the sandbox (an alerts token, /api/v1/alerts/<source>) open incidents here.
    INCIDENT_CHANNEL,
  });
  // The workspace of an earlier start on this database, and its clock, come back first.
  let keeper: WorkspaceKeeper;
  try {
    keeper = keepWorkspace(config.DATABASE_URL, standin, clock, logger);
  } catch (err) {
    await standin.close();
    throw err;
  }
  let core: Core | undefined;
  try {
    core = await createCore(config, { clock: clock.now });
    const bound = core;
    const people = sandboxPeople(core.directory);
    furnish(standin, people);
    await holdRolesAtFirstStart(core);
    const http = createHttpServer({ logger, host: SANDBOX_HOST });
    const app = createApp({
      config,
      core,
      clock: clock.now,
      logger,
      http,
      outbox: { channelIntervalMs: 50, pollMs: 50 },
    });
    const { scheduler, digests } = createJobs(bound, config, {
      logger,
      clock: clock.now,
      tickIntervalMs: TICK_MS,
    });
    const fireDue = async () => {
      await scheduler.tick();
      await digests.catchUp();
    };
    await app.start();
    const port = app.port!;
    const driver = createSlackDriver({
      appUrl: `http://${SANDBOX_HOST}:${port}/slack/events`,
      signingSecret,
      fake: standin,
      clock: clock.now,
    });
    const pageListeners = new Set<() => void>();
    const changed = () => {
      for (const l of pageListeners) l();
    };
    const actions = createUserActions({ standin, driver, people, changed });
    const advance = async (ms: number) => {
      clock.advance(ms);
      await fireDue();
      changed();
      keeper.soon();
    };
    const page = sandboxRoutes({
      actions,
      state: (user) => pageState(standin, actions, people, user, clock.now()),
      advance,
      onChange: (listener) => {
        pageListeners.add(listener);
        const off = standin.onChange(listener);
        return () => {
          pageListeners.delete(listener);
          off();
        };
      },
      logger,
    });
    for (const route of page.routes) http.route(route);
    await app.workspaceUrl().catch(() => undefined);
    await scheduler.start();
    const ticker = setInterval(() => {
      digests.catchUp().catch((err: unknown) => logger.error('digest failed', { error: String(err) }));
    }, TICK_MS);
    ticker.unref();
    await digests.catchUp();
    return {
      url: `http://${SANDBOX_HOST}:${port}/`,
      port,
      clock,
      standin,
      core: bound,
      app,
      people,
      actions,
      advance,
      async close() {
        clearInterval(ticker);
        page.endStreams();
        await scheduler.stop();
        await app.stop();
        await bound.close();
        keeper.close();
        await standin.close();
      },
    };
  } catch (err) {
    keeper.close();
    await core?.close().catch(() => undefined);
    await standin.close();
    throw err;
  }
}

/** At the first start (no role held by anyone), each role goes to the person named after it. */
async function holdRolesAtFirstStart(core: Core): Promise<void> {
  const roles = await core.roles.listRoles();
  if (roles.some((r) => r.holders.length > 0)) return;
  const admin = await core.actors.resolve({ kind: 'slack_user', userId: ADMIN_ID });
  for (const role of core.directory.names) await core.roles.setRole(admin, role, [personFor(role)]);
}
