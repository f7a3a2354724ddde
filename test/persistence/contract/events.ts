// EventRepository: the append-only log of what happened to runs (and to roles, with no run).
import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.ts';
import { event, T0, useBackend } from './fixtures.ts';

export function describeEventRepositoryContract(backend: Backend) {
  describe(`events (${backend.name})`, () => {
    const db = useBackend(backend);

    it('when events are appended, then a run’s events come back in the order appended, with ids and data intact', async () => {
      const { store } = db();
      await store.transaction((r) =>
        r.events.append([
          event('FEAT-1', 'run_started', T0 + 50, { chain: 'feature', nested: { list: [1, 'two'] } }),
          event('FEAT-2', 'run_started', T0),
          // Appended later with an earlier time: the log keeps the order of appending.
          event('FEAT-1', 'step_done', T0 + 10),
        ]),
      );
      await store.transaction((r) => r.events.append([event('FEAT-1', 'completed', T0 + 60)]));
      const log = await store.read.events.forRun('FEAT-1');
      expect(log.map((e) => e.type)).toEqual(['run_started', 'step_done', 'completed']);
      expect(log[0]).toEqual({
        id: expect.any(Number),
        runId: 'FEAT-1',
        at: T0 + 50,
        actor: 'UACTOR',
        type: 'run_started',
        stepKey: 'step0',
        data: { chain: 'feature', nested: { list: [1, 'two'] } },
      });
      const idsInOrder = log.map((e) => e.id!);
      expect([...idsInOrder].sort((a, b) => a - b)).toEqual(idsInOrder);
      expect(new Set(idsInOrder).size).toBe(3);
      expect(await store.read.events.forRun('FEAT-404')).toEqual([]);
    });

    it('when nothing is appended, then nothing is written', async () => {
      const { store } = db();
      await store.transaction((r) => r.events.append([]));
      expect(await store.read.events.forRuns(['FEAT-1'])).toEqual(new Map());
    });

    it('when events of several runs are read at once, then each run gets its own in order, and runs without events are absent', async () => {
      const { store } = db();
      await store.transaction((r) =>
        r.events.append([
          event('A-1', 'one', T0),
          event('B-1', 'one', T0),
          event(null, 'role_set', T0),
          event('A-1', 'two', T0),
        ]),
      );
      const byRun = await store.read.events.forRuns(['A-1', 'B-1', 'C-1']);
      expect([...byRun.keys()].sort()).toEqual(['A-1', 'B-1']);
      expect(byRun.get('A-1')!.map((e) => e.type)).toEqual(['one', 'two']);
      expect(byRun.get('B-1')!.map((e) => e.type)).toEqual(['one']);
      expect(await store.read.events.forRuns([])).toEqual(new Map());
    });

    it('when more than 500 runs are asked for, then every run’s events come back', async () => {
      const { store } = db();
      const runIds = Array.from({ length: 1200 }, (_, i) => `R-${i}`);
      await store.transaction((r) => r.events.append(runIds.map((id, i) => event(id, 'x', T0 + i))));
      const byRun = await store.read.events.forRuns(runIds);
      expect(byRun.size).toBe(1200);
      expect(byRun.get('R-1199')!.map((e) => e.at)).toEqual([T0 + 1199]);
    });

    it('when anything outside the port changes or deletes an event, then the database refuses: the log is append-only', async () => {
      const { store, exec } = db();
      await store.transaction((r) => r.events.append([event('FEAT-1', 'run_started', T0)]));
      await expect(exec("UPDATE events SET actor = 'UEVIL'")).rejects.toThrow(/append-only/);
      await expect(exec('DELETE FROM events')).rejects.toThrow(/append-only/);
      expect((await store.read.events.forRun('FEAT-1')).map((e) => e.actor)).toEqual(['UACTOR']);
    });

    it('when a transaction that appended events rolls back, then the events are gone', async () => {
      const { store } = db();
      await expect(
        store.transaction(async (r) => {
          await r.events.append([event('FEAT-1', 'run_started', T0)]);
          throw new Error('abandoned');
        }),
      ).rejects.toThrow('abandoned');
      expect(await store.read.events.forRun('FEAT-1')).toEqual([]);
    });
  });
}
