// Webhooks end to end: subscriptions made as `projectlead webhooks add` makes them, events caused
// through the API reaching local receivers through the app's outbox, each verified with the
// receiver side of Standard Webhooks; retries keep the webhook-id; a receiver failing for good
// pauses its subscription and its owner is told in Slack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_RETRY_DELAYS_MS } from '../../src/webhooks/channel.ts';
import { api, tokensFor } from '../support/api-client.ts';
import { CHANNEL, type Harness, startHarness, until, userFor } from '../support/app-harness.ts';
import { visibleText } from '../support/fake-slack.ts';
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../support/webhook-receiver.ts';

const u = userFor;
const REQUESTER = 'UHOOKREQ';
let h: Harness;
let tokens: Record<string, string>;
const receivers: WebhookReceiver[] = [];

async function subscribe(who: { userId: string | null; owner?: string }) {
  const receiver = await startWebhookReceiver();
  receivers.push(receiver);
  const sub = await h.core.webhooks.add({ url: receiver.url, userId: who.userId, owner: who.owner ?? null });
  receiver.secret = sub.secret;
  return { receiver, sub };
}

const start = async (text: string) => {
  const res = await api(h, tokens[REQUESTER]!, 'POST', '/requests', {
    text,
    chain: 'release',
    channel: CHANNEL,
  });
  expect(res.status).toBe(201);
  return res.json.run.id as string;
};

/** Once the outbox recorded this many failed attempts of the subscription's row (then the clock may move). */
const failedAttempts = (subscriptionId: number, n: number) =>
  until(async () => {
    const rows = (await h.core.store.read.outbox.list({ status: 'pending' })).filter(
      (r) => r.delivery.kind === 'webhook' && r.delivery.subscriptionId === subscriptionId,
    );
    return rows.some((r) => r.attempts >= n);
  }, `failed attempt ${n}`);

const ofRun = (r: WebhookReceiver, runId: string) => r.verified().filter((w) => w.body.data.run_id === runId);
const summary = (ws: ReceivedWebhook[]) => ws.map((w) => `${w.body.type}:${w.body.data.step_key ?? ''}`);

beforeAll(async () => {
  h = await startHarness();
  tokens = await tokensFor(h, {
    requester: REQUESTER,
    atlas: u('Atlas'),
    frontend: u('FrontendLead'),
  });
});
afterAll(async () => {
  await h.close();
  for (const r of receivers) await r.close();
});

describe('webhooks', () => {
  it('deliver signed events in order per run; step.assigned carries the step context; a user subscription gets only its steps', async () => {
    const { receiver: all } = await subscribe({ userId: null });
    const { receiver: atlas } = await subscribe({ userId: u('Atlas') });
    const runId = await start('Ship release v11 with the billing page');
    const path = `/runs/${runId}/steps`;
    expect(
      (
        await api(h, tokens[u('Atlas')]!, 'POST', `${path}/release_decision/complete`, {
          output: 'major it is',
          facts: { release_type: 'major' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api(h, tokens[u('FrontendLead')]!, 'POST', `${path}/code_freeze/block`, {
          reason: 'waiting on the CDN fix',
        })
      ).status,
    ).toBe(200);
    await h.core.verbs.cancel_run({
      actor: await h.as(REQUESTER),
      input: { run_id: runId, reason: 'moved to next week' },
    });

    const expected = [
      'step.assigned:release_decision',
      'step.completed:release_decision',
      'step.assigned:code_freeze',
      'run.blocked:code_freeze',
      'run.closed:',
    ];
    const got = await until(
      async () => (ofRun(all, runId).length >= expected.length ? ofRun(all, runId) : null),
      'the events',
    );
    expect(summary(got)).toEqual(expected);
    expect(all.received.every((w) => w.verified)).toBe(true);
    expect(new Set(got.map((w) => w.id)).size).toBe(got.length);
    expect(got.every((w) => w.signature.startsWith('v1,'))).toBe(true);

    const assigned = got[2]!.body;
    expect(assigned.data).toMatchObject({
      run_id: runId,
      chain: 'release',
      step_key: 'code_freeze',
      request: {
        text: 'Ship release v11 with the billing page',
        requester: REQUESTER,
        release_type: 'major',
      },
      earlier_outputs: [{ step_key: 'release_decision', output: 'major it is', by: [u('Atlas')] }],
      phase: 'owners',
    });
    expect(assigned.data).toHaveProperty('due_at');
    expect(assigned.data).toHaveProperty('gate');
    expect(assigned.data).toHaveProperty('output');
    expect(got[4]!.body.data).toMatchObject({
      status: 'cancelled',
      by: REQUESTER,
      reason: 'moved to next week',
    });

    // Atlas's subscription: the step assigned to Atlas and what followed it, never code_freeze's handoff.
    await until(async () => ofRun(atlas, runId).length >= 2, "Atlas's events");
    expect(summary(ofRun(atlas, runId))).toContain('step.assigned:release_decision');
    expect(summary(ofRun(atlas, runId))).not.toContain('step.assigned:code_freeze');
  });

  it('retry a delivery the receiver failed twice, with the same webhook-id, until it takes it', async () => {
    const { receiver, sub } = await subscribe({ userId: u('Atlas') });
    receiver.answer = (_id, attempt) => (attempt < 2 ? 500 : undefined);
    const runId = await start('Ship release v12 with the audit export');
    await failedAttempts(sub.id, 1);
    h.clock.advance(WEBHOOK_RETRY_DELAYS_MS[0]);
    await failedAttempts(sub.id, 2);
    h.clock.advance(WEBHOOK_RETRY_DELAYS_MS[1]);
    await until(async () => receiver.received.length >= 3, 'the third attempt');
    const tries = receiver.received;
    expect(tries.map((t) => t.answered)).toEqual([500, 500, 200]);
    expect(new Set(tries.map((t) => t.id)).size).toBe(1);
    expect(tries.every((t) => t.verified && t.body.data.run_id === runId)).toBe(true);
    expect(tries[0]!.body).toEqual(tries[2]!.body);
  });

  it('pause a subscription whose receiver failed for good (over a day of retries) and tell its owner in Slack', async () => {
    const owner = u('Scribe');
    const { receiver, sub } = await subscribe({ userId: u('Atlas'), owner });
    receiver.answer = () => 503;
    await start('Ship release v13 with the new pricing');
    let waited = 0;
    for (const [i, delay] of WEBHOOK_RETRY_DELAYS_MS.entries()) {
      await failedAttempts(sub.id, i + 1);
      h.clock.advance(delay);
      waited += delay;
    }
    expect(waited).toBeGreaterThanOrEqual(24 * 3_600_000);
    await until(async () => (await h.core.store.read.webhooks.get(sub.id))?.status === 'paused', 'the pause');
    expect(receiver.received).toHaveLength(WEBHOOK_RETRY_DELAYS_MS.length + 1);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
    const dm = await until(
      async () => h.fake.messages(h.fake.dmChannel(owner)).find((m) => visibleText(m).includes('is paused')),
      "the owner's DM",
    );
    expect(visibleText(dm)).toContain(receiver.url);
    // Paused: later events are not even queued for it.
    // (Events are queued in the transaction that starts the run: they exist once it answered.)
    await start('Ship release v14 with the partner API');
    const rows = (await h.core.store.read.outbox.list()).filter(
      (r) => r.delivery.kind === 'webhook' && r.delivery.subscriptionId === sub.id,
    );
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([['failed', WEBHOOK_RETRY_DELAYS_MS.length + 1]]);
    expect(receiver.received).toHaveLength(WEBHOOK_RETRY_DELAYS_MS.length + 1);
  });
});
