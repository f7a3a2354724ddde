// IdempotencyRepository: Slack deliveries already handled, and the run each one led to.
import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.ts';
import { T0, useBackend } from './fixtures.ts';

export function describeIdempotencyRepositoryContract(backend: Backend) {
  describe(`idempotency (${backend.name})`, () => {
    const db = useBackend(backend);

    it('when keys were recorded, then any of them is seen with the run it led to; unknown keys are not', async () => {
      const { store } = db();
      expect(await store.read.idempotency.seen(['ev1'])).toBeNull();
      await store.transaction((r) => r.idempotency.record(['ev1', 'C1:1.0001'], 'FEAT-1', T0));
      expect(await store.read.idempotency.seen(['ev1'])).toEqual({ key: 'ev1', runId: 'FEAT-1' });
      expect(await store.read.idempotency.seen(['other', 'C1:1.0001'])).toEqual({
        key: 'C1:1.0001',
        runId: 'FEAT-1',
      });
      expect(await store.read.idempotency.seen(['other'])).toBeNull();
      expect(await store.read.idempotency.seen([])).toBeNull();
    });

    it('when a key is recorded with no run, then it is seen with a null run', async () => {
      const { store } = db();
      await store.transaction((r) => r.idempotency.record(['view1'], null, T0));
      expect(await store.read.idempotency.seen(['view1'])).toEqual({ key: 'view1', runId: null });
    });

    it('when a key is recorded twice, then the first run it led to stays, and the new keys with it are kept', async () => {
      const { store } = db();
      await store.transaction((r) => r.idempotency.record(['ev1'], 'FEAT-1', T0));
      await store.transaction((r) => r.idempotency.record(['ev1', 'ev2'], 'FEAT-2', T0 + 1));
      expect(await store.read.idempotency.seen(['ev1'])).toEqual({ key: 'ev1', runId: 'FEAT-1' });
      expect(await store.read.idempotency.seen(['ev2'])).toEqual({ key: 'ev2', runId: 'FEAT-2' });
      await store.transaction((r) => r.idempotency.record([], 'FEAT-3', T0 + 2));
    });

    it('when the transaction that recorded keys rolls back, then they were never seen', async () => {
      const { store } = db();
      await expect(
        store.transaction(async (r) => {
          await r.idempotency.record(['ev1'], 'FEAT-1', T0);
          expect(await r.idempotency.seen(['ev1'])).toEqual({ key: 'ev1', runId: 'FEAT-1' });
          throw new Error('abandoned');
        }),
      ).rejects.toThrow('abandoned');
      expect(await store.read.idempotency.seen(['ev1'])).toBeNull();
    });
  });
}
