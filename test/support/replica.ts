// A real bot process (`src/main.ts`) on a database URL behind the fake Slack, as a replica
// behind a load balancer runs, and the driver that signs requests to it. Waits are on what the
// process prints and on the database, never on a fixed delay.
import { join } from 'node:path';
import { ADMIN } from './engine.ts';
import type { FakeSlack } from './fake-slack.ts';
import { createSlackDriver, type SlackDriver } from './slack-driver.ts';
import { REPO_DIR, type Spawned, spawnProcess, TSX_LOADER } from './spawned.ts';

export interface Replica {
  bot: Spawned;
  driver: SlackDriver;
}

/** Start a replica; `cleanups` gets what kills it at the end of the test. */
export function startReplica(
  url: string,
  fake: FakeSlack,
  o: { secret: string; cleanups: (() => unknown)[]; env?: Record<string, string> },
): Spawned {
  const bot = spawnProcess(process.execPath, ['--import', TSX_LOADER, join(REPO_DIR, 'src/main.ts')], {
    cwd: REPO_DIR,
    env: {
      SLACK_BOT_TOKEN: 'xoxb-replicas',
      SLACK_SIGNING_SECRET: o.secret,
      SLACK_API_URL: fake.apiUrl,
      DATABASE_URL: url,
      ADMIN_USER_IDS: ADMIN,
      PORT: '0',
      ...o.env,
    },
  });
  o.cleanups.push(() => {
    if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  });
  return bot;
}

/** The replica once it listens, with a driver signing requests to its port. */
export async function replicaReady(bot: Spawned, fake: FakeSlack, secret: string): Promise<Replica> {
  const line = await bot.line(/ProjectLead is listening/, 'the replica listening');
  const port = Number(/"port":(\d+)/.exec(line)![1]);
  return {
    bot,
    driver: createSlackDriver({
      appUrl: `http://127.0.0.1:${port}/slack/events`,
      signingSecret: secret,
      fake,
    }),
  };
}

/** Poll until `fn` gives something (processes work at their own pace). */
export async function eventually<T>(
  fn: () => Promise<T | null | false | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
