// PendingRequestRepository: requests waiting for their requester to pick a chain, resolved once.
import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.ts';
import { T0, useBackend } from './fixtures.ts';

const request = {
  text: 'The export button is broken',
  requester: 'UREQ',
  channelId: 'C1',
  threadTs: '1.000100',
  source: 'mention',
  classification: { chain: 'bug', confidence: 0.6, alternatives: ['feature'] },
  createdAt: T0,
};

export function describePendingRequestRepositoryContract(backend: Backend) {
  describe(`pending requests (${backend.name})`, () => {
    const db = useBackend(backend);

    it('when a request is kept, then it comes back whole under a new id, unresolved', async () => {
      const { store } = db();
      const id = await store.transaction((r) => r.pending.insert(request));
      const other = await store.transaction((r) =>
        r.pending.insert({ ...request, channelId: null, threadTs: null, source: 'shortcut' }),
      );
      expect(other).not.toBe(id);
      expect(await store.read.pending.get(id)).toEqual({ ...request, id, resolvedRunId: null });
      expect(await store.read.pending.get(other)).toMatchObject({ channelId: null, threadTs: null });
      expect(await store.read.pending.get(id + other + 1000)).toBeNull();
    });

    it('when a request is resolved, then only the first resolution counts', async () => {
      const { store } = db();
      const id = await store.transaction((r) => r.pending.insert(request));
      expect(await store.transaction((r) => r.pending.resolve(id, 'BUG-1'))).toBe(true);
      expect(await store.transaction((r) => r.pending.resolve(id, 'FEAT-1'))).toBe(false);
      expect((await store.read.pending.get(id))!.resolvedRunId).toBe('BUG-1');
      expect(await store.transaction((r) => r.pending.resolve(id + 1000, 'BUG-2'))).toBe(false);
    });
  });
}
