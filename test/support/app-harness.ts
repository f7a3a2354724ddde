// The real app, in-process, against the fake Slack: a temp-file database, an injected clock
// (real time moving from a fixed date, plus whatever a test adds), a fast outbox, signed
// requests from the driver. `restart()` stops the app and closes the database, then starts a
// new core and app on the same file, as a redeploy would.

import { createApp, type SlackApp } from '../../src/app.ts';
import { loadBotConfig } from '../../src/config.ts';
import { type Core, createCore } from '../../src/core.ts';
import type { Actor, Run } from '../../src/domain/types.ts';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { ACTION, encodeStepRef } from '../../src/slack/ids.ts';
import { ADMIN, testDatabaseUrl, userFor } from './engine.ts';
import { type FakeMessage, type FakeSlack, type Json, startFakeSlack, visibleText } from './fake-slack.ts';
import { createSlackDriver, type SlackDriver, type SlackSender } from './slack-driver.ts';

export { ADMIN, userFor };
export const SIGNING_SECRET = 'e2e-signing-secret';
export const BOT_TOKEN = 'xoxb-e2e-token';
export const APP_TOKEN = 'xapp-1-e2e-token';
export const CHANNEL = 'CWORK';

/** Real time from a fixed date, plus what tests add: waits in the app (retries) still pass. */
export class HarnessClock {
  private readonly startedAt = Date.now();
  offsetMs = 0;
  constructor(readonly base = Date.UTC(2026, 10, 2, 9, 0, 0)) {}
  now = (): number => this.base + (Date.now() - this.startedAt) + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface HarnessOptions {
  socket?: boolean;
  /** Give every role to `userFor(role)` (default true). */
  holders?: boolean;
  env?: Record<string, string>;
  /** Outbox pacing; tests default to a 2 ms channel interval, production is 1 s. */
  outbox?: { channelIntervalMs?: number; pollMs?: number; backoffMs?: number };
}

export interface Harness {
  fake: FakeSlack;
  clock: HarnessClock;
  readonly app: SlackApp;
  readonly core: Core;
  /** Signed HTTP requests (HTTP mode). */
  readonly driver: SlackDriver;
  /** What Slack sends: over HTTP, or over the socket in Socket Mode. */
  readonly slack: SlackSender<{ status: number; json?: unknown; body: string }>;
  readonly appUrl: string;
  dbPath: string;
  /** The actor Slack's edge would build for this user. */
  as(userId: string): Promise<Actor>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * On PostgreSQL (TEST_BACKEND=postgres) a request's work after its ack takes real I/O, where
 * SQLite's finishes before the response is even written: there the harness's requests resolve
 * once the app has handled them (at most 3 s), as the tests written on SQLite expect.
 */
function settler(app: () => SlackApp) {
  const idle = async () => {
    const deadline = Date.now() + 3000;
    while (app().inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  };
  return <T extends object>(sender: T): T => {
    if (process.env.TEST_BACKEND !== 'postgres') return sender;
    return new Proxy(sender, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || prop === 'newTs' || prop === 'viaSocket') return value;
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          await idle();
          return result;
        };
      },
    });
  };
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeSlack();
  const clock = new HarnessClock();
  fake.setClock(clock.now);
  // A SQLite file, or with TEST_BACKEND=postgres a fresh PostgreSQL database.
  const dbPath = await testDatabaseUrl('e2e');
  const logger = process.env.E2E_LOG ? createLogger('debug') : silentLogger;
  const env = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    DATABASE_URL: dbPath,
    ADMIN_USER_IDS: ADMIN,
    PORT: '0',
    ...(opts.socket ? { SLACK_APP_TOKEN: APP_TOKEN } : {}),
    ...opts.env,
  };
  let core!: Core;
  let app!: SlackApp;
  let driver!: SlackDriver;
  let appUrl = '';
  const settled = settler(() => app);

  async function boot(first: boolean) {
    const config = loadBotConfig(env);
    core = await createCore(config, { clock: clock.now });
    if (first && opts.holders !== false) {
      const admin = await core.actors.resolve({ kind: 'slack_user', userId: ADMIN });
      for (const role of core.directory.names) await core.roles.setRole(admin, role, [userFor(role)]);
    }
    app = createApp({
      config,
      core,
      clock: clock.now,
      logger,
      outbox: { channelIntervalMs: 2, pollMs: 5, backoffMs: 20, ...opts.outbox },
      shutdownTimeoutMs: 3000,
    });
    await app.start();
    appUrl = `http://127.0.0.1:${app.port}/slack/events`;
    driver = createSlackDriver({ appUrl, signingSecret: SIGNING_SECRET, fake, clock: clock.now });
    if (opts.socket)
      await fake.waitFor((f) => f.socket.openConnections > 0, { what: 'a Socket Mode connection' });
  }
  await boot(true);

  return {
    fake,
    clock,
    dbPath,
    get app() {
      return app;
    },
    get core() {
      return core;
    },
    get driver() {
      return settled(driver);
    },
    get slack() {
      return settled(opts.socket ? driver.viaSocket() : driver);
    },
    get appUrl() {
      return appUrl;
    },
    as: (userId) => core.actors.resolve({ kind: 'slack_user', userId }),
    async restart() {
      await app.stop();
      await core.close();
      await boot(false);
    },
    async close() {
      await app.stop();
      await core.close();
      await fake.close();
    },
  };
}

// ---- reading the thread ----------------------------------------------------------------------

/**
 * Polls an async predicate until it returns a value (the app's state lives in SQLite). The
 * bound is generous: it is reached only by a failing test, and a passing one on a busy machine
 * (two test workers, a chart rendered, replica processes beside) must not fail by it.
 */
export async function until<T>(
  fn: () => Promise<T | null | undefined | false>,
  what = 'condition',
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== null && v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The run once its root message is in Slack. */
export function postedRun(h: Harness, runId: string): Promise<Run> {
  return until(async () => {
    const run = await h.core.runs.getRun(runId);
    return run.rootTs && h.fake.message(run.channelId!, run.rootTs) ? run : null;
  }, `the root message of ${runId}`);
}

/** The newest run (after a request started one). */
export function newestRun(h: Harness): Promise<Run> {
  return until(async () => (await h.core.store.read.runs.list({ newestFirst: true, limit: 1 }))[0], 'a run');
}

/** Wait until nothing is left in the outbox (everything owed to Slack went out). */
export function outboxSettled(h: Harness): Promise<true> {
  return until(async () => (await h.core.store.read.outbox.pendingCount()) === 0, 'an empty outbox');
}

/** The run's thread in the fake: its root message and replies, oldest first. */
export function threadOf(h: Harness, run: Pick<Run, 'channelId' | 'rootTs' | 'threadTs'>): FakeMessage[] {
  const ts = run.threadTs ?? run.rootTs;
  if (!run.channelId || !ts) return [];
  return h.fake.thread(run.channelId, ts);
}

/** The handoff message that carries buttons for this step, newest first. */
export function handoffFor(h: Harness, run: Run, stepKey: string): FakeMessage | undefined {
  const ref = encodeStepRef(run.id, stepKey);
  return threadOf(h, run)
    .filter((m) => hasButton(m.blocks, ACTION.stepDone, ref))
    .at(-1);
}

export function hasButton(blocks: Json[] | undefined, actionId: string, value?: string): boolean {
  return (
    JSON.stringify(blocks ?? []).includes(`"action_id":"${actionId}"`) &&
    (value === undefined || JSON.stringify(blocks).includes(`"value":"${value}"`))
  );
}

/** The user IDs mentioned (`<@U…>`) in a message. */
export function mentionsIn(m: FakeMessage): string[] {
  return [...new Set([...visibleText(m).matchAll(/<@([UW][A-Z0-9]+)>/g)].map((x) => x[1]!))];
}
