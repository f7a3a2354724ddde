// TimerRepository: durable deadlines of runs and steps, fired once by compare-and-set.
import { describe, expect, it } from 'vitest';
import type { Backend, Store } from './backend.ts';
import { HOUR, insertRuns, makeRun, scheduleTimers, stepIds, T0, useBackend } from './fixtures.ts';

/** Two runs (A-1, B-1) of two steps each; returns their step ids. */
async function twoRuns(store: Store) {
  const [a, b] = await insertRuns(store, makeRun('A-1'), makeRun('B-1'));
  const [a0, a1] = stepIds(a!);
  const [b0] = stepIds(b!);
  return { a0: a0!, a1: a1!, b0: b0! };
}

export function describeTimerRepositoryContract(backend: Backend) {
  describe(`timers (${backend.name})`, () => {
    const db = useBackend(backend);
    const kinds = async (runId: string) =>
      (await db().store.read.timers.forRun(runId)).map((t) => `${t.kind}:${t.status}`);

    it('when timers are scheduled, then the run’s timers come back pending, in the order scheduled, data intact', async () => {
      const { store } = db();
      const { a0 } = await twoRuns(store);
      await scheduleTimers(store, [
        { runId: 'A-1', stepId: a0, kind: 'reminder', dueAt: T0 + 2 * HOUR, data: { n: 1, who: ['U1'] } },
        { runId: 'A-1', stepId: null, kind: 'gdpr', dueAt: T0 + HOUR },
      ]);
      const timers = await store.read.timers.forRun('A-1');
      expect(timers).toEqual([
        {
          id: expect.any(Number),
          runId: 'A-1',
          stepId: a0,
          kind: 'reminder',
          dueAt: T0 + 2 * HOUR,
          status: 'pending',
          data: { n: 1, who: ['U1'] },
          firedAt: null,
          createdAt: T0,
        },
        expect.objectContaining({ stepId: null, kind: 'gdpr', data: {}, status: 'pending' }),
      ]);
      expect(timers[0]!.id).toBeLessThan(timers[1]!.id);
      expect(await store.read.timers.forRun('B-1')).toEqual([]);
    });

    it('when asked what is due, then pending timers due by then, earliest first, up to the limit', async () => {
      const { store } = db();
      const { a0, b0 } = await twoRuns(store);
      await scheduleTimers(store, [
        { runId: 'A-1', stepId: a0, kind: 'late', dueAt: T0 + 3 },
        { runId: 'B-1', stepId: b0, kind: 'early', dueAt: T0 + 1 },
        { runId: 'A-1', stepId: a0, kind: 'tie', dueAt: T0 + 3 },
        { runId: 'A-1', stepId: a0, kind: 'future', dueAt: T0 + 4 },
      ]);
      const due = async (now: number, limit = 10) =>
        (await store.read.timers.due(now, limit)).map((t) => t.kind);
      expect(await due(T0)).toEqual([]);
      expect(await due(T0 + 3)).toEqual(['early', 'late', 'tie']);
      expect(await due(T0 + 3, 2)).toEqual(['early', 'late']);
      const [first] = await store.read.timers.due(T0 + 3, 1);
      await store.transaction((r) => r.timers.claim(first!.id, 'w1', T0 + 3));
      // Asking does not claim; a claimed timer is no longer due.
      expect(await due(T0 + 4)).toEqual(['late', 'tie', 'future']);
    });

    it('when asked for steps’ latest due times of a kind, then cancelled timers and other kinds do not count', async () => {
      const { store } = db();
      const { a0, a1, b0 } = await twoRuns(store);
      await scheduleTimers(store, [
        { runId: 'A-1', stepId: a0, kind: 'done_due', dueAt: T0 + HOUR },
        { runId: 'A-1', stepId: a0, kind: 'done_due', dueAt: T0 + 3 * HOUR },
        { runId: 'A-1', stepId: a0, kind: 'reminder', dueAt: T0 + 9 * HOUR },
        { runId: 'A-1', stepId: a1, kind: 'done_due', dueAt: T0 + 5 * HOUR },
        { runId: 'B-1', stepId: b0, kind: 'done_due', dueAt: T0 + 2 * HOUR },
      ]);
      const fired = (await store.read.timers.forRun('B-1'))[0]!;
      await store.transaction((r) => r.timers.claim(fired.id, 'w1', T0 + 2 * HOUR));
      await store.transaction((r) => r.timers.cancelForSteps([a1]));
      expect(await store.read.timers.latestDue([a0, a1, b0], 'done_due')).toEqual(
        new Map([
          [a0, T0 + 3 * HOUR],
          [b0, T0 + 2 * HOUR],
        ]),
      );
      expect(await store.read.timers.latestDue([a0], 'reminder')).toEqual(new Map([[a0, T0 + 9 * HOUR]]));
      expect(await store.read.timers.latestDue([], 'done_due')).toEqual(new Map());
    });

    it('when a timer is claimed, then the first claim fires it and every later claim loses', async () => {
      const { store } = db();
      const { a0 } = await twoRuns(store);
      await scheduleTimers(store, [{ runId: 'A-1', stepId: a0, kind: 'reminder', dueAt: T0 }], T0 - HOUR);
      const [timer] = await store.read.timers.forRun('A-1');
      const claim = (worker: string, now: number) =>
        store.transaction((r) => r.timers.claim(timer!.id, worker, now));
      expect(await claim('w1', T0 + 5)).toBe(true);
      expect(await claim('w2', T0 + 6)).toBe(false);
      expect(await claim('w1', T0 + 7)).toBe(false);
      expect(await store.read.timers.forRun('A-1')).toEqual([
        expect.objectContaining({ status: 'fired', firedAt: T0 + 5 }),
      ]);
      expect(await store.transaction((r) => r.timers.claim(timer!.id + 1000, 'w1', T0))).toBe(false);
    });

    it('when a step’s timers are cancelled, then its pending ones (of the kinds named) are, and fired ones stay fired', async () => {
      const { store } = db();
      const { a0, a1 } = await twoRuns(store);
      await scheduleTimers(store, [
        { runId: 'A-1', stepId: a0, kind: 'reminder', dueAt: T0 },
        { runId: 'A-1', stepId: a0, kind: 'escalation', dueAt: T0 },
        { runId: 'A-1', stepId: a0, kind: 'ack', dueAt: T0 },
        { runId: 'A-1', stepId: a1, kind: 'reminder', dueAt: T0 },
      ]);
      const [fired] = await store.read.timers.due(T0, 1);
      await store.transaction((r) => r.timers.claim(fired!.id, 'w1', T0));
      expect(await store.transaction((r) => r.timers.cancelForSteps([a0], ['escalation', 'reminder']))).toBe(
        1,
      );
      expect(await kinds('A-1')).toEqual([
        'reminder:fired',
        'escalation:cancelled',
        'ack:pending',
        'reminder:pending',
      ]);
      expect(await store.transaction((r) => r.timers.cancelForSteps([a0]))).toBe(1);
      expect(await store.transaction((r) => r.timers.cancelForSteps([a0]))).toBe(0);
      expect(await kinds('A-1')).toEqual([
        'reminder:fired',
        'escalation:cancelled',
        'ack:cancelled',
        'reminder:pending',
      ]);
    });

    it('when several steps’ timers are cancelled at once, then theirs are and other steps keep theirs', async () => {
      const { store } = db();
      const { a0, a1, b0 } = await twoRuns(store);
      await scheduleTimers(store, [
        { runId: 'A-1', stepId: a0, kind: 'reminder', dueAt: T0 },
        { runId: 'A-1', stepId: a1, kind: 'escalation', dueAt: T0 },
        { runId: 'A-1', stepId: a1, kind: 'ack', dueAt: T0 },
        { runId: 'B-1', stepId: b0, kind: 'reminder', dueAt: T0 },
      ]);
      expect(await store.transaction((r) => r.timers.cancelForSteps([]))).toBe(0);
      expect(await store.transaction((r) => r.timers.cancelForSteps([a1, b0], ['ack', 'reminder']))).toBe(2);
      expect(await store.transaction((r) => r.timers.cancelForSteps([a0, a1]))).toBe(2);
      expect(await kinds('A-1')).toEqual(['reminder:cancelled', 'escalation:cancelled', 'ack:cancelled']);
      expect(await kinds('B-1')).toEqual(['reminder:cancelled']);
    });

    it('when a run’s timers are cancelled, then all its pending ones are but the kinds kept, and other runs keep theirs', async () => {
      const { store } = db();
      const { a0, a1, b0 } = await twoRuns(store);
      await scheduleTimers(store, [
        { runId: 'A-1', stepId: a0, kind: 'reminder', dueAt: T0 },
        { runId: 'A-1', stepId: a1, kind: 'escalation', dueAt: T0 },
        { runId: 'A-1', stepId: null, kind: 'gdpr', dueAt: T0 },
        { runId: 'B-1', stepId: b0, kind: 'reminder', dueAt: T0 },
      ]);
      expect(await store.transaction((r) => r.timers.cancelForRun('A-1', ['gdpr']))).toBe(2);
      expect(await kinds('A-1')).toEqual(['reminder:cancelled', 'escalation:cancelled', 'gdpr:pending']);
      expect(await store.transaction((r) => r.timers.cancelForRun('A-1'))).toBe(1);
      expect(await kinds('A-1')).toEqual(['reminder:cancelled', 'escalation:cancelled', 'gdpr:cancelled']);
      expect(await kinds('B-1')).toEqual(['reminder:pending']);
    });

    it('when some kinds of a run’s timers are cancelled, then only those pending ones are', async () => {
      const { store } = db();
      const { a0, b0 } = await twoRuns(store);
      await scheduleTimers(store, [
        { runId: 'A-1', stepId: a0, kind: 'reminder', dueAt: T0 },
        { runId: 'A-1', stepId: null, kind: 'gdpr', dueAt: T0 },
        { runId: 'A-1', stepId: null, kind: 'gdpr_final', dueAt: T0 },
        { runId: 'B-1', stepId: b0, kind: 'gdpr', dueAt: T0 },
      ]);
      expect(await store.transaction((r) => r.timers.cancelKinds('A-1', ['gdpr', 'gdpr_final']))).toBe(2);
      expect(await kinds('A-1')).toEqual(['reminder:pending', 'gdpr:cancelled', 'gdpr_final:cancelled']);
      expect(await kinds('B-1')).toEqual(['gdpr:pending']);
    });

    it('when a cancelled timer is claimed, then the claim loses and it is not due', async () => {
      const { store } = db();
      const { a0 } = await twoRuns(store);
      await scheduleTimers(store, [{ runId: 'A-1', stepId: a0, kind: 'reminder', dueAt: T0 }]);
      await store.transaction((r) => r.timers.cancelForSteps([a0]));
      const [timer] = await store.read.timers.forRun('A-1');
      expect(await store.transaction((r) => r.timers.claim(timer!.id, 'w1', T0))).toBe(false);
      expect(await store.read.timers.due(T0 + HOUR, 10)).toEqual([]);
    });

    it('when asked for the pending timers of many runs, then every pending one of those runs, past 500 runs too', async () => {
      const { store } = db();
      const runIds = Array.from({ length: 1100 }, (_, i) => `R-${i}`);
      await scheduleTimers(
        store,
        runIds.map((runId, i) => ({ runId, stepId: null, kind: 'gdpr', dueAt: T0 + i })),
      );
      await store.transaction((r) => r.timers.cancelForRun('R-7'));
      const pending = await store.read.timers.pendingForRuns(runIds.slice(1, 1100));
      expect(pending).toHaveLength(1098);
      expect(new Set(pending.map((t) => t.runId)).has('R-0')).toBe(false);
      expect(new Set(pending.map((t) => t.runId)).has('R-7')).toBe(false);
      expect(pending.every((t) => t.status === 'pending')).toBe(true);
      expect(await store.read.timers.pendingForRuns([])).toEqual([]);
    });
  });
}
