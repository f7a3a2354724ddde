// DigestRepository: each digest period is claimed once, by one worker, ever.
import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.ts';
import { HOUR, T0, useBackend } from './fixtures.ts';

export function describeDigestRepositoryContract(backend: Backend) {
  describe(`digests (${backend.name})`, () => {
    const db = useBackend(backend);
    const claim = (key: string, kind: string, worker: string, now: number) =>
      db().store.transaction((r) => r.digests.claim(key, kind, worker, now));

    it('when a period is claimed, then only the first claim wins, whoever asks again and whenever', async () => {
      expect(await claim('daily:2026-11-02', 'daily', 'w1', T0)).toBe(true);
      expect(await claim('daily:2026-11-02', 'daily', 'w1', T0)).toBe(false);
      expect(await claim('daily:2026-11-02', 'daily', 'w2', T0 + 24 * HOUR)).toBe(false);
      expect(await claim('daily:2026-11-03', 'daily', 'w2', T0 + 24 * HOUR)).toBe(true);
    });

    it('when asked for the last digest of a kind, then the latest claimed of that kind, posted or not', async () => {
      const { store } = db();
      expect(await store.read.digests.last('daily')).toBeNull();
      await claim('daily:2026-11-01', 'daily', 'w1', T0 - 24 * HOUR);
      await claim('weekly:2026-W45', 'weekly', 'w1', T0 + HOUR);
      await claim('daily:2026-11-02', 'daily', 'w1', T0);
      expect(await store.read.digests.last('daily')).toEqual({
        periodKey: 'daily:2026-11-02',
        claimedAt: T0,
        postedAt: null,
      });
      expect(await store.read.digests.last('weekly')).toMatchObject({ periodKey: 'weekly:2026-W45' });
      expect(await store.read.digests.last('monthly')).toBeNull();
    });

    it('when a claimed period is posted, then it records when, and a claim after that still loses', async () => {
      const { store } = db();
      await claim('daily:2026-11-02', 'daily', 'w1', T0);
      await claim('daily:2026-11-01', 'daily', 'w1', T0 - 24 * HOUR);
      await store.transaction((r) => r.digests.markPosted('daily:2026-11-02', 42, T0 + 5));
      expect(await store.read.digests.last('daily')).toEqual({
        periodKey: 'daily:2026-11-02',
        claimedAt: T0,
        postedAt: T0 + 5,
      });
      // Posting one period leaves the others alone.
      await store.transaction((r) => r.digests.markPosted('daily:2026-11-01', null, T0 + 6));
      expect((await store.read.digests.last('daily'))!.postedAt).toBe(T0 + 5);
      expect(await claim('daily:2026-11-02', 'daily', 'w2', T0 + 7)).toBe(false);
    });

    it('when the transaction that claimed a period rolls back, then the period can be claimed again', async () => {
      const { store } = db();
      await expect(
        store.transaction(async (r) => {
          expect(await r.digests.claim('daily:2026-11-02', 'daily', 'w1', T0)).toBe(true);
          throw new Error('posting failed');
        }),
      ).rejects.toThrow('posting failed');
      expect(await claim('daily:2026-11-02', 'daily', 'w2', T0 + 1)).toBe(true);
    });
  });
}
