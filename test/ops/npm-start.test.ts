// `npm start` as a process manager runs it: SIGTERM to npm reaches the bot, which stops taking
// requests, drains the outbox and exits; npm returns only after that. A signal repeated while
// the bot drains (systemd signals the whole group, npm forwards its own: the bot hears it twice)
// never cuts the drain short.
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config.ts';
import { listen } from '../../src/http/server.ts';
import { tempDbPath } from '../support/engine.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { createSlackDriver } from '../support/slack-driver.ts';
import { isRunning, REPO_DIR, type Spawned, spawnProcess } from '../support/spawned.ts';

const SECRET = 'npm-start-secret';

/**
 * Between the bot and the fake Slack: passes every call on, except that while `holding` it keeps
 * `chat.postMessage` calls waiting until `release()`, so the bot is mid-send when it is told to
 * stop.
 */
class HoldingProxy {
  holding = true;
  private readonly held: (() => void)[] = [];
  private readonly waiters: (() => void)[] = [];
  private server: Server | undefined;

  constructor(private readonly target: URL) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      if (this.holding && req.url?.endsWith('/chat.postMessage')) {
        this.held.push(() => this.forward(req, res));
        for (const w of this.waiters.splice(0)) w();
      } else this.forward(req, res);
    });
    await listen(this.server, 0);
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
  }

  /** Resolves once a post is being held. */
  somethingHeld(): Promise<void> {
    return this.held.length > 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }

  release(): void {
    this.holding = false;
    for (const go of this.held.splice(0)) go();
  }

  close(): Promise<void> {
    this.release();
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const up = request(
      new URL(req.url ?? '/', this.target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  }
}

let fake: FakeSlack;
let proxy: HoldingProxy;
let apiUrl: string;
beforeAll(async () => {
  fake = await startFakeSlack();
  proxy = new HoldingProxy(new URL(fake.apiUrl));
  apiUrl = await proxy.start();
});
afterAll(async () => {
  await proxy.close();
  await fake.close();
});

let npm: Spawned | undefined;
let botPid: number | undefined;
afterEach(async () => {
  proxy.release();
  proxy.holding = true;
  // Whatever happened, leave nothing running.
  if (botPid !== undefined && isRunning(botPid)) process.kill(botPid, 'SIGKILL');
  if (npm && npm.child.exitCode === null && npm.child.signalCode === null) npm.child.kill('SIGKILL');
  if (npm) await npm.exited;
  npm = undefined;
  botPid = undefined;
});

/**
 * `npm start` in the checkout, configured by the environment alone (every variable set, so a
 * developer's own `.env` changes nothing here); a run requested, its root message held on its way
 * to Slack: the outbox owes something when the signal comes.
 */
async function startWithWorkOwed(title: string, opts: { detached?: boolean } = {}) {
  const env: Record<string, string> = Object.fromEntries(CONFIG_VARIABLES.map((v) => [v, '']));
  Object.assign(env, {
    SLACK_BOT_TOKEN: 'xoxb-npm-start',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: apiUrl,
    DATABASE_URL: tempDbPath('npm-start'),
    PORT: '0',
    LOG_LEVEL: 'info',
  });
  npm = spawnProcess('npm', ['start', '--silent'], { cwd: REPO_DIR, env, detached: opts.detached });
  const listening = await npm.line(/ProjectLead is listening/, 'the listening line');
  const fields = JSON.parse(listening.slice(listening.indexOf('{'))) as { port: number; pid: number };
  botPid = fields.pid;
  expect(botPid).not.toBe(npm.child.pid);
  const driver = createSlackDriver({
    appUrl: `http://127.0.0.1:${fields.port}/slack/events`,
    signingSecret: SECRET,
    fake,
  });
  const res = await driver.slashCommand({
    text: `feature ${title}`,
    userId: 'UREQUESTER',
    channelId: 'CSTART',
  });
  expect(res.status).toBe(200);
  await proxy.somethingHeld();
  return { npm, botPid: fields.pid };
}

/** The line, which must come while npm still runs. */
async function whileNpmRuns(npm: Spawned, pattern: RegExp, what: string): Promise<string> {
  const line = await Promise.race([npm.line(pattern, what), npm.returned.then(() => null)]);
  if (line === null) throw new Error(`npm returned before ${what}:\n${npm.lines.join('\n')}`);
  return line;
}

async function stoppedAfterDraining(npm: Spawned, botPid: number, title: string) {
  const drained = npm.line(/Outbox drained/, 'the drain line');
  await npm.returned;
  expect(isRunning(botPid), 'the bot still runs after npm returned').toBe(false);
  const { code, lineCount } = await npm.exited;
  const drainLine = await drained;
  // npm returned after the bot had drained and exited, with the bot's own exit code.
  expect(npm.lines.indexOf(drainLine)).toBeLessThan(lineCount);
  expect(JSON.parse(drainLine.slice(drainLine.indexOf('{')))).toEqual({ stillOwed: 0 });
  expect(npm.lines.some((l) => /ProjectLead stopped/.test(l))).toBe(true);
  expect(code).toBe(0);
  // What was owed at the signal reached Slack before the exit.
  expect(fake.messages('CSTART').some((m) => (m.text ?? '').includes(title))).toBe(true);
}

describe('npm start', () => {
  it('when npm is sent SIGTERM, then the bot drains and exits, and npm returns only after it', async () => {
    const { npm, botPid } = await startWithWorkOwed('Stop while sending');
    npm.child.kill('SIGTERM');
    await whileNpmRuns(npm, /SIGTERM: shutting down/, 'the bot heard SIGTERM');
    proxy.release();
    await stoppedAfterDraining(npm, botPid, 'Stop while sending');
  });

  it('when the signal is repeated while the bot drains, then the drain still finishes', async () => {
    const { npm, botPid } = await startWithWorkOwed('Stop twice', { detached: true });
    // systemd's default: the whole group (npm and the bot) is signalled.
    process.kill(-npm.child.pid!, 'SIGTERM');
    await whileNpmRuns(npm, /SIGTERM: shutting down/, 'the bot heard SIGTERM');
    // The manager (or npm forwarding) signals again while a message is still on its way.
    npm.child.kill('SIGTERM');
    await whileNpmRuns(npm, /already shutting down/, 'the repeated signal was logged');
    proxy.release();
    await stoppedAfterDraining(npm, botPid, 'Stop twice');
  });
});
