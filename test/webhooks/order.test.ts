// A run's events reach a subscriber in order: while an older event of the run is backing off
// (its receiver failed), the newer ones wait for it; another run's events go on meanwhile.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createOutboxWorker } from '../../src/outbox/worker.ts';
import { createWebhookService } from '../../src/services/webhooks/webhook-service.ts';
import { createWebhookChannel, WEBHOOK_RETRY_DELAYS_MS } from '../../src/webhooks/channel.ts';
import { createTestEngine, type TestEngine } from '../support/engine.ts';
import { startTestRun } from '../support/outbox.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let engine: TestEngine;
let receiver: WebhookReceiver;
afterEach(async () => {
  await engine.close();
  await receiver.close();
});

describe('webhook order', () => {
  it("when a run's first event fails, then its later events wait for it, and another run's do not", async () => {
    let webhooks!: ReturnType<typeof createWebhookService>;
    engine = await createTestEngine({
      hooks: [{ afterTransition: (repos, tr, now) => webhooks.hook.afterTransition(repos, tr, now) }],
    });
    webhooks = createWebhookService({
      store: engine.store,
      clock: engine.clock.now,
      playbooks: engine.playbooks,
    });
    receiver = await startWebhookReceiver();
    const sub = await webhooks.add({ url: receiver.url, userId: null });
    receiver.secret = sub.secret;
    const worker = createOutboxWorker({
      store: engine.store,
      channels: [createWebhookChannel({ store: engine.store, clock: engine.clock.now, intervalMs: 0 })],
      clock: engine.clock.now,
      log: silentLogger,
      workerId: 'w1',
    });
    const { run: first } = await startTestRun(engine, { channelId: 'CREQ' });
    // The first event of the first run fails once.
    let failed = false;
    receiver.answer = () => {
      if (failed) return undefined;
      failed = true;
      return 500;
    };
    await worker.tick();
    expect(receiver.received.map((r) => r.answered)).toEqual([500]);
    // Later events of that run, and another run's.
    const step = first.steps.find((s) => s.status === 'active')!;
    const owner = Object.values(step.assignees).flat()[0]!;
    await engine.runs.completeStep(first.id, await engine.as(owner), { stepKey: step.key, output: 'done' });
    const { run: second } = await startTestRun(engine, { channelId: 'CREQ' });
    await worker.tick();
    const delivered = () =>
      receiver.received.filter((r) => r.answered === 200).map((r) => r.body.data.run_id);
    expect(delivered()).toEqual([second.id]);
    engine.clock.advance(WEBHOOK_RETRY_DELAYS_MS[0]);
    await worker.tick();
    engine.clock.advance(2_000);
    await worker.tick();
    const ofFirst = receiver.received.filter((r) => r.answered === 200 && r.body.data.run_id === first.id);
    expect(ofFirst.map((r) => r.body.type)).toEqual(['step.assigned', 'step.completed', 'step.assigned']);
    expect(ofFirst[0]!.id).toBe(receiver.received[0]!.id);
  });
});
