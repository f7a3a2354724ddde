// CorrectionRepository: chains requesters chose over the classifier's pick.
import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.ts';
import { T0, useBackend } from './fixtures.ts';

export function describeCorrectionRepositoryContract(backend: Backend) {
  describe(`corrections (${backend.name})`, () => {
    const db = useBackend(backend);

    it('when corrections are kept, then all of them come back in the order kept', async () => {
      const { store } = db();
      expect(await store.read.corrections.all()).toEqual([]);
      const first = {
        text: 'login fails',
        chain: 'bug',
        predicted: 'feature',
        actor: 'U1',
        createdAt: T0 + 9,
      };
      const second = {
        text: 'add a dark mode',
        chain: 'feature',
        predicted: null,
        actor: null,
        createdAt: T0,
      };
      await store.transaction((r) => r.corrections.insert(first));
      await store.transaction((r) => r.corrections.insert(second));
      expect(await store.read.corrections.all()).toEqual([first, second]);
    });
  });
}
