// Webhook events are queued in the transaction of the change that causes them: a run's
// transitions (through the webhook hook) and the clocks' reminders and escalations (through
// `onNotices`); one row per matching subscription, each with its own webhook-id; a user's
// subscription gets the events about that user's steps, a user group's included.
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookNotice } from '../../src/domain/webhook-events.ts';
import { createDeadlineHook } from '../../src/services/clocks/deadline-hook.ts';
import { fireDueTimers } from '../../src/services/clocks/fire-timers.ts';
import { createWebhookService } from '../../src/services/webhooks/webhook-service.ts';
import { createTestEngine, type TestEngine, userFor } from '../support/engine.ts';
import { startTestRun } from '../support/outbox.ts';

let engine: TestEngine;
afterEach(() => engine.close());

async function setup() {
  let webhooks!: ReturnType<typeof createWebhookService>;
  engine = await createTestEngine({
    hooks: [
      {
        beforeNotices: (repos, tr, now) => deadlines.beforeNotices?.(repos, tr, now) ?? Promise.resolve(),
        afterTransition: (repos, tr, now) => deadlines.afterTransition(repos, tr, now),
      },
      { afterTransition: (repos, tr, now) => webhooks.hook.afterTransition(repos, tr, now) },
    ],
  });
  const deadlines = createDeadlineHook({
    directory: engine.directory,
    playbooks: engine.playbooks,
    workTimeZone: 'UTC',
  });
  webhooks = createWebhookService({
    store: engine.store,
    clock: engine.clock.now,
    playbooks: engine.playbooks,
  });
  return webhooks;
}

const webhookRows = async () =>
  (await engine.store.read.outbox.list()).filter((r) => r.delivery.kind === 'webhook') as {
    delivery: { kind: 'webhook'; subscriptionId: number; runId: string | null };
    notice: WebhookNotice;
    runId: string | null;
  }[];

describe('webhook events', () => {
  it('when a run starts and a step is done, then each matching subscription gets a row per event, none when nobody subscribed', async () => {
    const webhooks = await setup();
    await startTestRun(engine, { channelId: 'CREQ' });
    expect(await webhookRows()).toEqual([]);
    const all = await webhooks.add({ url: 'https://all.example/hook', userId: null });
    const scribe = await webhooks.add({ url: 'https://scribe.example/hook', userId: userFor('Scribe') });
    const { run } = await startTestRun(engine, { channelId: 'CREQ' });
    const first = run.steps.find((s) => s.status === 'active')!;
    const owner = Object.values(first.assignees).flat()[0]!;
    await engine.runs.completeStep(run.id, await engine.as(owner), {
      stepKey: first.key,
      output: 'the brief',
    });
    const rows = (await webhookRows()).filter((r) => r.notice.runId === run.id);
    const forAll = rows.filter((r) => r.delivery.subscriptionId === all.id).map((r) => r.notice.event.type);
    expect(forAll.slice(0, 3)).toEqual(['step.assigned', 'step.completed', 'step.assigned']);
    expect(rows.filter((r) => r.delivery.subscriptionId === scribe.id)).toEqual([]);
    expect(rows.every((r) => r.runId === null && r.delivery.runId === run.id)).toBe(true);
    expect(new Set(rows.map((r) => r.notice.webhookId)).size).toBe(rows.length);
    const assigned = rows[0]!.notice.event.data;
    expect(assigned).toMatchObject({
      run_id: run.id,
      step_key: first.key,
      request: { text: expect.any(String) },
    });
    expect(typeof assigned.due_at).toBe('string');
  });

  it("when a user's group holds the step, then that user's subscription gets it", async () => {
    const webhooks = await setup();
    // The role that owns the first step of the chain is given to a group the user is in.
    const probe = (await startTestRun(engine, { channelId: 'CREQ' })).run;
    const role = probe.steps.find((s) => s.status === 'active')!.owners[0]!;
    await engine.store.transaction((r) => r.usergroups.set('SDESIGN', ['UMEMBER'], engine.clock.ms));
    await engine.roles.setRole(await engine.as('UADMIN'), role, ['SDESIGN']);
    const member = await webhooks.add({ url: 'https://member.example/hook', userId: 'UMEMBER' });
    const outsider = await webhooks.add({ url: 'https://outsider.example/hook', userId: 'UOUTSIDER' });
    const { run } = await startTestRun(engine, { channelId: 'CREQ' });
    const rows = (await webhookRows()).filter((r) => r.notice.runId === run.id);
    expect(
      rows.filter((r) => r.delivery.subscriptionId === member.id).map((r) => r.notice.event.type),
    ).toEqual(['step.assigned']);
    expect(rows.filter((r) => r.delivery.subscriptionId === outsider.id)).toEqual([]);
  });

  it('when a reminder and an escalation fire, then step.reminded and step.escalated are queued in that transaction', async () => {
    const webhooks = await setup();
    const sub = await webhooks.add({ url: 'https://all.example/hook', userId: null });
    const { run } = await startTestRun(engine, { channelId: 'CREQ' });
    const kinds = new Set<string>();
    for (
      let hour = 0;
      hour < 24 * 14 && !(kinds.has('step.reminded') && kinds.has('step.escalated'));
      hour++
    ) {
      engine.clock.advance(3_600_000);
      await engine.store.transaction((repos) =>
        fireDueTimers(
          repos,
          {
            directory: engine.directory,
            worker: 'w1',
            now: engine.clock.ms,
            onNotices: webhooks.enqueueForNotices,
          },
          100,
        ),
      );
      for (const r of await webhookRows())
        if (r.delivery.subscriptionId === sub.id && r.notice.runId === run.id) kinds.add(r.notice.event.type);
    }
    expect([...kinds]).toEqual(expect.arrayContaining(['step.reminded', 'step.escalated']));
    const reminded = (await webhookRows()).find((r) => r.notice.event.type === 'step.reminded')!;
    expect(reminded.notice.event.data).toMatchObject({
      run_id: run.id,
      step_key: expect.any(String),
      owners: expect.any(Array),
    });
  });
});
