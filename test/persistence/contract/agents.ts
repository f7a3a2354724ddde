// The repositories of the agents' surfaces: API tokens (by hash, revoked for good), the answers
// kept for Idempotency-Keys (first claim wins), webhook subscriptions (paused once), and the
// outbox's lanes (a webhook row waits for the older rows of its lane).
import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.ts';
import { HOUR, T0, useBackend } from './fixtures.ts';

export function describeAgentRepositoriesContract(backend: Backend) {
  describe(`api tokens, api requests, webhooks (${backend.name})`, () => {
    const db = useBackend(backend);

    it('when a token is stored, then it is found by its hash alone until revoked, and listed without it', async () => {
      const { store } = db();
      const id = await store.transaction((r) =>
        r.apiTokens.insert({ name: 'ci', tokenHash: 'h1', userId: 'UCI', kind: 'user' }, T0),
      );
      await store.transaction((r) =>
        r.apiTokens.insert({ name: 'alerts', tokenHash: 'h2', userId: null, kind: 'alerts' }, T0),
      );
      expect(await store.read.apiTokens.byHash('h1')).toMatchObject({
        id,
        name: 'ci',
        userId: 'UCI',
        kind: 'user',
        lastUsedAt: null,
      });
      expect(await store.read.apiTokens.byHash('nope')).toBeNull();
      await store.transaction((r) => r.apiTokens.touch(id, T0 + HOUR));
      expect((await store.read.apiTokens.byHash('h1'))?.lastUsedAt).toBe(T0 + HOUR);
      expect((await store.read.apiTokens.list()).map((t) => t.name)).toEqual(['ci', 'alerts']);
      expect(await store.transaction((r) => r.apiTokens.revoke('ci', T0 + 2 * HOUR))).toBe(1);
      expect(await store.transaction((r) => r.apiTokens.revoke('ci', T0 + 2 * HOUR))).toBe(0);
      expect(await store.read.apiTokens.byHash('h1')).toBeNull();
      expect((await store.read.apiTokens.list()).map((t) => t.name)).toEqual(['alerts']);
    });

    it('when a key is claimed twice, then the second finds the first (running, then its answer); purged keys are free', async () => {
      const { store } = db();
      expect(await store.transaction((r) => r.apiRequests.claim(1, 'k', 'f1', T0))).toBeNull();
      expect(await store.transaction((r) => r.apiRequests.claim(1, 'k', 'f1', T0))).toMatchObject({
        fingerprint: 'f1',
        status: null,
      });
      // Keys belong to their token.
      expect(await store.transaction((r) => r.apiRequests.claim(2, 'k', 'f9', T0))).toBeNull();
      await store.transaction((r) => r.apiRequests.complete(1, 'k', 201, { run: { id: 'REL-1' } }));
      expect(await store.transaction((r) => r.apiRequests.claim(1, 'k', 'f2', T0))).toMatchObject({
        fingerprint: 'f1',
        status: 201,
        body: { run: { id: 'REL-1' } },
      });
      await store.transaction((r) => r.apiRequests.release(2, 'k'));
      expect(await store.transaction((r) => r.apiRequests.claim(2, 'k', 'f9', T0))).toBeNull();
      expect(await store.transaction((r) => r.apiRequests.purge(T0 + 1))).toBe(2);
      expect(await store.transaction((r) => r.apiRequests.claim(1, 'k', 'f3', T0 + 2))).toBeNull();
    });

    it('when a subscription keeps failing, then one caller pauses it; resumed, it is active again; removed, gone', async () => {
      const { store } = db();
      const id = await store.transaction((r) =>
        r.webhooks.insert(
          { url: 'https://agent.example/hook', secret: 'whsec_x', userId: 'UAG', owner: 'UAG' },
          T0,
        ),
      );
      const all = await store.transaction((r) =>
        r.webhooks.insert({ url: 'https://all.example/', secret: 's', userId: null, owner: null }, T0),
      );
      expect(await store.read.webhooks.get(id)).toMatchObject({
        status: 'active',
        userId: 'UAG',
        pausedAt: null,
      });
      expect(await store.transaction((r) => r.webhooks.pause(id, 'HTTP 500', T0 + HOUR))).toBe(true);
      expect(await store.transaction((r) => r.webhooks.pause(id, 'HTTP 500', T0 + HOUR))).toBe(false);
      expect(await store.read.webhooks.get(id)).toMatchObject({
        status: 'paused',
        pausedAt: T0 + HOUR,
        lastError: 'HTTP 500',
      });
      expect((await store.read.webhooks.active()).map((s) => s.id)).toEqual([all]);
      expect(await store.transaction((r) => r.webhooks.resume(id))).toBe(true);
      expect((await store.read.webhooks.active()).map((s) => s.id)).toEqual([id, all]);
      expect(await store.transaction((r) => r.webhooks.remove(id))).toBe(true);
      expect(await store.read.webhooks.get(id)).toBeNull();
      expect((await store.read.webhooks.list()).map((s) => s.id)).toEqual([all]);
    });

    it('when webhook rows are enqueued, then each keeps its subscription and run, and waits for the older rows of its lane only', async () => {
      const { store } = db();
      const event = (n: number) => ({
        type: 'webhook' as const,
        runId: 'REL-1',
        webhookId: `msg_${n}`,
        event: { type: 'step.completed' as const, timestamp: new Date(T0).toISOString(), data: { n } },
      });
      const [a, b, c] = await store.transaction((r) =>
        r.outbox.enqueue(
          [
            {
              runId: null,
              delivery: { kind: 'webhook', subscriptionId: 7, runId: 'REL-1' },
              notice: event(1),
            },
            {
              runId: null,
              delivery: { kind: 'webhook', subscriptionId: 7, runId: 'REL-1' },
              notice: event(2),
            },
            {
              runId: null,
              delivery: { kind: 'webhook', subscriptionId: 8, runId: 'REL-1' },
              notice: event(3),
            },
          ],
          T0,
        ),
      );
      const rows = await store.read.outbox.list();
      expect(rows.map((r) => r.delivery)).toEqual([
        { kind: 'webhook', subscriptionId: 7, runId: 'REL-1' },
        { kind: 'webhook', subscriptionId: 7, runId: 'REL-1' },
        { kind: 'webhook', subscriptionId: 8, runId: 'REL-1' },
      ]);
      expect(rows[1]!.notice).toEqual(event(2));
      expect(await store.read.outbox.hasEarlierPendingInLane('webhook:7:REL-1', b!)).toBe(true);
      expect(await store.read.outbox.hasEarlierPendingInLane('webhook:7:REL-1', a!)).toBe(false);
      expect(await store.read.outbox.hasEarlierPendingInLane('webhook:8:REL-1', c!)).toBe(false);
      const claimed = await store.transaction((r) => r.outbox.claimDue(T0, 10, 'w1', 60_000));
      await store.transaction((r) => r.outbox.markSent(claimed[0]!.id, 'w1', '200', T0));
      expect(await store.read.outbox.hasEarlierPendingInLane('webhook:7:REL-1', b!)).toBe(false);
      // A webhook row belongs to no run thread: it never holds the run's Slack messages back.
      expect(await store.read.outbox.deliveryProblems()).toEqual([]);
    });
  });
}
