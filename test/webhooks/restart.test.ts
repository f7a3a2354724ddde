// A bot process killed while a webhook POST is in flight, on a real SQLite file shared with this
// test's process: the restarted worker delivers the event at once (not after the 60 s lease),
// with the same webhook-id, and the receiver verifies both deliveries.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createOutboxWorker } from '../../src/outbox/worker.ts';
import { newWorkerId } from '../../src/outbox/worker-identity.ts';
import { createWebhookService } from '../../src/services/webhooks/webhook-service.ts';
import { createWebhookChannel } from '../../src/webhooks/channel.ts';
import { createTestEngine, tempDbPath } from '../support/engine.ts';
import { startTestRun } from '../support/outbox.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function webhookProcess(path: string, clockMs: number) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/webhook-process.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: path, CLOCK_MS: String(clockMs) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const [workerId] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, workerId };
}

describe('a bot process killed mid-delivery of a webhook', () => {
  it('when it is killed, then the restarted worker delivers the event within seconds, with the same webhook-id', async () => {
    const path = tempDbPath('webhook-killed');
    let webhooks!: ReturnType<typeof createWebhookService>;
    const engine = await createTestEngine({
      path,
      hooks: [{ afterTransition: (repos, tr, now) => webhooks.hook.afterTransition(repos, tr, now) }],
    });
    webhooks = createWebhookService({
      store: engine.store,
      clock: engine.clock.now,
      playbooks: engine.playbooks,
    });
    const receiver = await startWebhookReceiver();
    cleanups.push(
      () => engine.close(),
      () => receiver.close(),
    );
    const sub = await webhooks.add({ url: receiver.url, userId: null });
    receiver.secret = sub.secret;
    receiver.answer = (_id, attempt) => (attempt === 0 ? 'hang' : undefined);
    const { run } = await startTestRun(engine, { channelId: 'CREQ' });
    const [row] = (await engine.store.read.outbox.list()).filter((r) => r.delivery.kind === 'webhook');
    expect(row?.notice).toMatchObject({ type: 'webhook', runId: run.id, event: { type: 'step.assigned' } });

    const bot = await webhookProcess(path, engine.clock.ms);
    await waitFor(() => receiver.received.length === 1, 'the first POST in flight');
    bot.child.kill('SIGKILL');
    await once(bot.child, 'exit');

    const restarted = createOutboxWorker({
      store: engine.store,
      channels: [createWebhookChannel({ store: engine.store, clock: engine.clock.now })],
      clock: engine.clock.now,
      log: silentLogger,
      workerId: newWorkerId(),
    });
    const restartedAt = engine.clock.ms;
    expect(await restarted.tick()).toBeGreaterThan(0);
    expect(restarted.stats().reclaimed).toBeGreaterThan(0);
    expect(engine.clock.ms - restartedAt).toBeLessThan(5000);
    const [first, second] = receiver.received;
    expect(second).toBeDefined();
    expect(second!.id).toBe(first!.id);
    expect(second!.id).toBe((row!.notice as { webhookId: string }).webhookId);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(second!.body).toEqual(first!.body);
    const sent = (await engine.store.read.outbox.list()).find((r) => r.id === row!.id);
    expect(sent?.status).toBe('sent');
  });
});

async function waitFor(fn: () => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
