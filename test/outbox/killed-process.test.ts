// A bot process killed while its chat.postMessage is in flight, on a real SQLite file shared
// with this test's process and the fake Slack: the restarted sender sends the message within
// seconds (not after the 60 s lease) and never twice, and a live sender's rows are never taken.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { newWorkerId } from '../../src/outbox/worker-identity.ts';
import { createTestEngine, type TestEngine, tempDbPath } from '../support/engine.ts';
import { type FakeSlack, type Fault, startFakeSlack } from '../support/fake-slack.ts';
import { createTestSender, startTestRun } from '../support/outbox.ts';

const CHANNEL = 'CREQ';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sender = (engine: TestEngine, fake: FakeSlack) =>
  createTestSender(engine, fake, { workerId: newWorkerId() });

/** A bot process sending the outbox; resolves with it and its worker id once it runs. */
async function botProcess(path: string, fake: FakeSlack, clockMs: number) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/outbox-process.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: path, SLACK_API_URL: fake.apiUrl, CLOCK_MS: String(clockMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const [workerId] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, workerId };
}

describe('a bot process killed mid-post', () => {
  it.each<[string, Fault, number]>([
    ['Slack took the post, the answer never came', { lostAnswer: 'hang' }, 1],
    ['the post never reached Slack', { hang: true }, 2],
  ])('when it is killed (%s), then the restarted sender posts the message within 5 s, once, and no live sender took it before', async (_what, fault, postsAfter) => {
    const path = tempDbPath('killed');
    const engine = await createTestEngine({ path });
    const fake = await startFakeSlack({ now: engine.clock.now });
    cleanups.push(
      () => engine.close(),
      () => fake.close(),
    );
    const { run } = await startTestRun(engine, { channelId: CHANNEL });
    fake.failNext('chat.postMessage', fault);

    const bot = await botProcess(path, fake, engine.clock.ms);
    await fake.waitFor((f) => f.hungCount === 1, {
      what: 'the bot process’s post in flight',
      timeoutMs: 15_000,
    });
    const [root] = await engine.store.read.outbox.list({ runId: run.id });
    expect(root).toMatchObject({ status: 'pending', maybeSent: true });

    // Another sender, while that process lives: its lease is respected.
    const live = sender(engine, fake);
    expect(await live.tick()).toBe(0);
    expect(live.stats().reclaimed).toBe(0);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);

    bot.child.kill('SIGKILL');
    await once(bot.child, 'exit');
    const restartedAt = engine.clock.ms;
    const restarted = sender(engine, fake);
    await restarted.drain(5000);

    const sentRoot = (await engine.store.read.outbox.list({ runId: run.id }))[0]!;
    expect(sentRoot.status).toBe('sent');
    expect(sentRoot.sentAt! - restartedAt).toBeLessThan(5000);
    expect(restarted.stats()).toMatchObject({
      reclaimed: expect.any(Number),
      adopted: postsAfter === 1 ? 1 : 0,
    });
    expect(restarted.stats().reclaimed).toBeGreaterThan(0);
    await restarted.drain(60 * 60_000);
    const roots = fake.messages(CHANNEL).filter((m) => m.thread_ts === undefined);
    expect(roots).toHaveLength(1);
    expect((await engine.runs.getRun(run.id)).rootTs).toBe(roots[0]!.ts);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === undefined)).toHaveLength(
      postsAfter,
    );
    expect(await engine.store.read.outbox.pendingCount()).toBe(0);
  });
});
