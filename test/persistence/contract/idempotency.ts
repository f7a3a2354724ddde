// IdempotencyRepository: Slack deliveries already handled, and the run each one led to. Keys are
// claimed by inserting them first, then attached to the run they started.
import { describe, expect, it } from 'vitest';
import type { Backend, Repositories } from './backend.ts';
import { T0, useBackend } from './fixtures.ts';

export function describeIdempotencyRepositoryContract(backend: Backend) {
  describe(`idempotency (${backend.name})`, () => {
    const db = useBackend(backend);
    const tx = <T>(fn: (i: Repositories['idempotency']) => Promise<T>) =>
      db().store.transaction((r) => fn(r.idempotency));
    /** Claims the keys and, when claimed, attaches them to `runId`. */
    const start = (keys: string[], runId: string, now = T0) =>
      tx(async (i) => {
        const claim = await i.claim(keys, now);
        if (claim.claimed) await i.attach(keys, runId);
        return claim;
      });

    it('when keys are claimed for the first time, then the claim wins and they lead nowhere until attached', async () => {
      const { store } = db();
      expect(await store.read.idempotency.seen(['ev1'])).toBeNull();
      expect(await tx((i) => i.claim(['ev1', 'C1:1.0001'], T0))).toEqual({ claimed: true });
      expect(await store.read.idempotency.seen(['ev1'])).toEqual({ key: 'ev1', runId: null });
      await tx((i) => i.attach(['ev1', 'C1:1.0001'], 'FEAT-1'));
      expect(await store.read.idempotency.seen(['ev1'])).toEqual({ key: 'ev1', runId: 'FEAT-1' });
      expect(await store.read.idempotency.seen(['other', 'C1:1.0001'])).toEqual({
        key: 'C1:1.0001',
        runId: 'FEAT-1',
      });
      expect(await store.read.idempotency.seen(['other'])).toBeNull();
      expect(await store.read.idempotency.seen([])).toBeNull();
    });

    it('when a known key is claimed again, then the claim loses and names the run it led to', async () => {
      await start(['ev1', 'msg1'], 'FEAT-1');
      expect(await start(['msg1'], 'FEAT-2', T0 + 1)).toEqual({ claimed: false, runId: 'FEAT-1' });
      expect(await start(['ev1', 'msg1'], 'FEAT-3', T0 + 2)).toEqual({ claimed: false, runId: 'FEAT-1' });
    });

    it('when a delivery brings new keys beside a known one, then the new keys lead to the same run', async () => {
      const { store } = db();
      await start(['msg1'], 'FEAT-1');
      expect(await start(['ev2', 'msg1', 'ev2'], 'FEAT-2', T0 + 1)).toEqual({
        claimed: false,
        runId: 'FEAT-1',
      });
      expect(await store.read.idempotency.seen(['ev2'])).toEqual({ key: 'ev2', runId: 'FEAT-1' });
    });

    it('when a known key leads nowhere (a question was asked), then a claim loses with a null run', async () => {
      const { store } = db();
      expect(await tx((i) => i.claim(['view1'], T0))).toEqual({ claimed: true });
      expect(await tx((i) => i.claim(['view1', 'ev9'], T0 + 1))).toEqual({ claimed: false, runId: null });
      expect(await store.read.idempotency.seen(['ev9'])).toEqual({ key: 'ev9', runId: null });
    });

    it('when keys are attached, then only those leading nowhere change: a key keeps its first run', async () => {
      const { store } = db();
      await start(['ev1'], 'FEAT-1');
      await tx((i) => i.claim(['ev2'], T0));
      await tx((i) => i.attach(['ev1', 'ev2', 'unknown'], 'FEAT-2'));
      expect(await store.read.idempotency.seen(['ev1'])).toEqual({ key: 'ev1', runId: 'FEAT-1' });
      expect(await store.read.idempotency.seen(['ev2'])).toEqual({ key: 'ev2', runId: 'FEAT-2' });
      expect(await store.read.idempotency.seen(['unknown'])).toBeNull();
      await tx((i) => i.attach([], 'FEAT-3'));
    });

    it('when no keys are claimed, then the claim wins and records nothing', async () => {
      const { store } = db();
      expect(await tx((i) => i.claim([], T0))).toEqual({ claimed: true });
      expect(await tx((i) => i.claim([], T0))).toEqual({ claimed: true });
      expect(await store.read.idempotency.seen([])).toBeNull();
    });

    it('when the transaction that claimed keys rolls back, then they were never seen and can be claimed again', async () => {
      const { store } = db();
      await expect(
        store.transaction(async (r) => {
          expect(await r.idempotency.claim(['ev1'], T0)).toEqual({ claimed: true });
          await r.idempotency.attach(['ev1'], 'FEAT-1');
          expect(await r.idempotency.seen(['ev1'])).toEqual({ key: 'ev1', runId: 'FEAT-1' });
          throw new Error('abandoned');
        }),
      ).rejects.toThrow('abandoned');
      expect(await store.read.idempotency.seen(['ev1'])).toBeNull();
      expect(await start(['ev1'], 'FEAT-2')).toEqual({ claimed: true });
    });
  });
}
