// AlertRepository: a monitoring alert's problem and the incident it opened; the newest row of a
// source and key is the one that counts (a problem that fired again after its run closed has a
// newer row).
import { describe, expect, it } from 'vitest';
import type { AlertGroupRow } from '../../../src/persistence/ports.ts';
import type { Backend } from './backend.ts';
import { insertRuns, MINUTE, makeRun, T0, useBackend } from './fixtures.ts';

const row = (runId: string, over: Partial<AlertGroupRow> = {}): Omit<AlertGroupRow, 'id'> => ({
  source: 'alertmanager',
  dedupKey: 'group-1',
  runId,
  status: 'firing',
  received: 1,
  firing: 2,
  firstAt: T0,
  lastAt: T0,
  resolvedAt: null,
  lastLineAt: T0,
  latest: { title: 'CheckoutDown', values: ['a=1'] },
  ...over,
});

export function describeAlertRepositoryContract(backend: Backend) {
  describe(`alerts (${backend.name})`, () => {
    const db = useBackend(backend);

    it('when rows are inserted, then the newest of a source and key is found, and each run finds its own', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('INC-1'), makeRun('INC-2'), makeRun('INC-3'));
      const first = await store.transaction((r) => r.alerts.insert(row('INC-1')));
      const second = await store.transaction((r) => r.alerts.insert(row('INC-2', { firstAt: T0 + MINUTE })));
      await store.transaction((r) => r.alerts.insert(row('INC-3', { source: 'grafana' })));
      expect(second).toBeGreaterThan(first);
      expect(await store.read.alerts.latest('alertmanager', 'group-1')).toEqual({
        id: second,
        ...row('INC-2', { firstAt: T0 + MINUTE }),
      });
      expect((await store.read.alerts.latest('grafana', 'group-1'))?.runId).toBe('INC-3');
      expect(await store.read.alerts.latest('alertmanager', 'group-2')).toBeNull();
      expect((await store.read.alerts.forRun('INC-1')).map((a) => a.id)).toEqual([first]);
    });

    it('when a row is updated, then only the fields given change', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('INC-1'));
      const id = await store.transaction((r) => r.alerts.insert(row('INC-1')));
      await store.transaction((r) =>
        r.alerts.update(id, {
          status: 'resolved',
          resolvedAt: T0 + 5 * MINUTE,
          received: 3,
          latest: { title: 'x' },
        }),
      );
      await store.transaction((r) => r.alerts.update(id, {}));
      expect(await store.read.alerts.latest('alertmanager', 'group-1')).toEqual({
        id,
        ...row('INC-1'),
        status: 'resolved',
        resolvedAt: T0 + 5 * MINUTE,
        received: 3,
        latest: { title: 'x' },
      });
    });
  });
}
