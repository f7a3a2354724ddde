// ClockRepository (`repos.clock`): batch claims, fired counts, the runs fired timers need, pushed
// deadlines, steps past their timers and the GDPR clocks.
import { describe, expect, it } from 'vitest';
import type { Backend, NewTimer, Store } from './backend.ts';
import {
  HOUR,
  insertRuns,
  makeClosedRun,
  makeRun,
  makeStep,
  scheduleTimers,
  stepIds,
  T0,
  useBackend,
} from './fixtures.ts';

/** Timers created an hour before T0. */
const schedule = (store: Store, items: NewTimer[]) => scheduleTimers(store, items, T0 - HOUR);

export function describeClockTimerQueriesContract(backend: Backend) {
  describe(`clock repository (${backend.name})`, () => {
    const db = useBackend(backend);
    const statuses = async (runId: string) =>
      (await db().store.read.timers.forRun(runId)).map((t) => `${t.kind}:${t.status}`);

    it('when due timers are claimed in a batch, then the due pending ones fire, earliest first, up to the limit, once', async () => {
      const { store } = db();
      const [run] = await insertRuns(store, makeRun('A-1'));
      const [s0] = stepIds(run!);
      await schedule(store, [
        { runId: 'A-1', stepId: s0!, kind: 'late', dueAt: T0 },
        { runId: 'A-1', stepId: s0!, kind: 'early', dueAt: T0 - 5 },
        { runId: 'A-1', stepId: null, kind: 'third', dueAt: T0 },
        { runId: 'A-1', stepId: null, kind: 'future', dueAt: T0 + 1 },
      ]);
      const claim = (limit: number, worker: string) =>
        store.transaction((r) => r.clock.claimDueTimers(T0, limit, worker));
      const first = await claim(2, 'w1');
      expect(first.map((t) => t.kind)).toEqual(['early', 'late']);
      expect(first[0]).toMatchObject({ status: 'fired', firedAt: T0, runId: 'A-1', stepId: s0 });
      expect((await claim(10, 'w2')).map((t) => t.kind)).toEqual(['third']);
      expect(await claim(10, 'w3')).toEqual([]);
      expect(await statuses('A-1')).toEqual(['late:fired', 'early:fired', 'third:fired', 'future:pending']);
    });

    it('when the transaction that claimed timers rolls back, then they are pending again', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('A-1'));
      await schedule(store, [{ runId: 'A-1', stepId: null, kind: 'gdpr', dueAt: T0 }]);
      await expect(
        store.transaction(async (r) => {
          expect(await r.clock.claimDueTimers(T0, 10, 'w1')).toHaveLength(1);
          throw new Error('crashed before the reminder was queued');
        }),
      ).rejects.toThrow('crashed');
      expect(await statuses('A-1')).toEqual(['gdpr:pending']);
      expect(await store.transaction((r) => r.clock.claimDueTimers(T0, 10, 'w2'))).toHaveLength(1);
    });

    it('when fired escalations are counted, then per step, of the kinds named, leaving out the ids given', async () => {
      const { store } = db();
      const [run] = await insertRuns(store, makeRun('A-1'));
      const [s0, s1] = stepIds(run!);
      await schedule(store, [
        { runId: 'A-1', stepId: s0!, kind: 'escalation', dueAt: T0 - 3 },
        { runId: 'A-1', stepId: s0!, kind: 'escalation', dueAt: T0 - 2 },
        { runId: 'A-1', stepId: s0!, kind: 'reminder', dueAt: T0 - 1 },
        { runId: 'A-1', stepId: s1!, kind: 'escalation', dueAt: T0 + HOUR },
      ]);
      const fired = await store.transaction((r) => r.clock.claimDueTimers(T0, 10, 'w1'));
      const count = (ids: number[], kinds: string[], exclude: number[]) =>
        store.read.clock.firedCount(ids, kinds, exclude);
      expect(await count([s0!, s1!], ['escalation'], [])).toEqual(new Map([[s0!, 2]]));
      expect(await count([s0!, s0!], ['escalation', 'reminder'], [fired[0]!.id])).toEqual(
        new Map([[s0!, 2]]),
      );
      expect(await count([s1!], ['escalation'], [])).toEqual(new Map());
      expect(await count([], ['escalation'], [])).toEqual(new Map());
    });

    it('when fired timers’ runs are fetched, then each run’s head and only its open steps come back', async () => {
      const { store } = db();
      const [run] = await insertRuns(
        store,
        makeRun('A-1', {
          context: { summary: ['x'] },
          requester: 'UREQ',
          steps: [
            makeStep(0, { status: 'done' }),
            makeStep(1, { status: 'blocked', blockReason: 'waiting on legal', acknowledgedAt: T0 }),
            makeStep(2, { status: 'pending' }),
          ],
        }),
        makeClosedRun('B-1', 'done', T0, T0 + 1),
      );
      const views = await store.read.clock.timerRuns(['A-1', 'B-1', 'A-1', 'NONE-1']);
      expect([...views.keys()].sort()).toEqual(['A-1', 'B-1']);
      const a = views.get('A-1')!;
      expect(a.run).toEqual({
        id: 'A-1',
        chain: 'feature',
        title: 'Run A-1',
        status: 'active',
        severity: null,
        channelId: 'C1',
        threadTs: null,
        rootTs: null,
        context: { summary: ['x'] },
        requester: 'UREQ',
      });
      const open = run!.steps[1]!;
      expect([...a.steps.keys()]).toEqual([open.id]);
      expect(a.steps.get(open.id!)).toEqual({
        id: open.id,
        key: 'step1',
        title: 'Step 1',
        owners: open.owners,
        approvers: open.approvers,
        assignees: open.assignees,
        deliveries: open.deliveries,
        status: 'blocked',
        acknowledgedAt: T0,
        startedAt: null,
        blockReason: 'waiting on legal',
      });
      expect(views.get('B-1')!.steps.size).toBe(0);
    });

    it('when a step’s deadlines are pushed, then its pending timers of those kinds due earlier move; the rest stay', async () => {
      const { store } = db();
      const [run] = await insertRuns(store, makeRun('A-1'));
      const [s0, s1] = stepIds(run!);
      await schedule(store, [
        { runId: 'A-1', stepId: s0!, kind: 'reminder', dueAt: T0 },
        { runId: 'A-1', stepId: s0!, kind: 'escalation', dueAt: T0 + 1 },
        { runId: 'A-1', stepId: s0!, kind: 'escalation', dueAt: T0 + HOUR },
        { runId: 'A-1', stepId: s0!, kind: 'reminder', dueAt: T0 + 5 * HOUR },
        { runId: 'A-1', stepId: s0!, kind: 'ack', dueAt: T0 },
        { runId: 'A-1', stepId: s0!, kind: 'reminder', dueAt: T0 - 1 },
        { runId: 'A-1', stepId: s1!, kind: 'reminder', dueAt: T0 },
      ]);
      const [fired] = await store.transaction((r) => r.clock.claimDueTimers(T0 - 1, 10, 'w1'));
      const moved = await store.transaction((r) =>
        r.clock.pushPending(s0!, ['reminder', 'escalation'], T0 + HOUR),
      );
      // Only the two due earlier: not the one due at that very time, nor the fired one.
      expect(moved).toBe(2);
      const pending = await store.read.clock.pendingForStep(s0!);
      // Timers due at the same time may come in either order.
      expect(pending.map((t) => `${t.kind}@${t.dueAt - T0}`).sort()).toEqual(
        [
          'ack@0',
          `reminder@${HOUR}`,
          `escalation@${HOUR}`,
          `escalation@${HOUR}`,
          `reminder@${5 * HOUR}`,
        ].sort(),
      );
      expect(pending.map((t) => t.dueAt)).toEqual([T0, T0 + HOUR, T0 + HOUR, T0 + HOUR, T0 + 5 * HOUR]);
      const after = await store.read.timers.forRun('A-1');
      expect(after.find((t) => t.id === fired!.id)).toMatchObject({ status: 'fired', dueAt: T0 - 1 });
      expect((await store.read.clock.pendingForStep(s1!)).map((t) => t.dueAt)).toEqual([T0]);
    });

    it('when the transaction that pushed a step’s deadlines rolls back, then they are due as before', async () => {
      const { store } = db();
      const [run] = await insertRuns(store, makeRun('A-1'));
      const [s0] = stepIds(run!);
      await schedule(store, [{ runId: 'A-1', stepId: s0!, kind: 'reminder', dueAt: T0 }]);
      await expect(
        store.transaction(async (r) => {
          expect(await r.clock.pushPending(s0!, ['reminder'], T0 + HOUR)).toBe(1);
          expect((await r.clock.pendingForStep(s0!)).map((t) => t.dueAt)).toEqual([T0 + HOUR]);
          throw new Error('the snooze was refused after all');
        }),
      ).rejects.toThrow('refused');
      expect((await store.read.clock.pendingForStep(s0!)).map((t) => t.dueAt)).toEqual([T0]);
    });

    it('when a step’s pending timers are listed, then earliest first, without fired or cancelled ones', async () => {
      const { store } = db();
      const [run] = await insertRuns(store, makeRun('A-1'));
      const [s0] = stepIds(run!);
      await schedule(store, [
        { runId: 'A-1', stepId: s0!, kind: 'later', dueAt: T0 + 2 * HOUR },
        { runId: 'A-1', stepId: s0!, kind: 'fires', dueAt: T0 - 1 },
        { runId: 'A-1', stepId: s0!, kind: 'sooner', dueAt: T0 + HOUR },
      ]);
      await store.transaction((r) => r.clock.claimDueTimers(T0, 10, 'w1'));
      await store.transaction((r) => r.timers.cancelForSteps([s0!], ['later']));
      await schedule(store, [{ runId: 'A-1', stepId: s0!, kind: 'last', dueAt: T0 + 3 * HOUR }]);
      expect((await store.read.clock.pendingForStep(s0!)).map((t) => t.kind)).toEqual(['sooner', 'last']);
    });

    it('when asked which open steps are past their timers, then the earliest such time per step; ack kinds only while unacknowledged', async () => {
      const { store } = db();
      const [a, b] = await insertRuns(
        store,
        makeRun('A-1', { steps: [makeStep(0, { status: 'active' }), makeStep(1, { status: 'done' })] }),
        makeRun('B-1', { steps: [makeStep(0, { status: 'blocked', acknowledgedAt: T0 - HOUR })] }),
      );
      const [a0, a1] = stepIds(a!);
      const [b0] = stepIds(b!);
      await schedule(store, [
        { runId: 'A-1', stepId: a0!, kind: 'escalation', dueAt: T0 - 20 },
        { runId: 'A-1', stepId: a0!, kind: 'escalation', dueAt: T0 - 30 },
        { runId: 'A-1', stepId: a0!, kind: 'escalation', dueAt: T0 + 1 },
        { runId: 'A-1', stepId: a1!, kind: 'escalation', dueAt: T0 - 50 },
        { runId: 'B-1', stepId: b0!, kind: 'ack', dueAt: T0 - 40 },
        { runId: 'B-1', stepId: b0!, kind: 'escalation', dueAt: T0 - 10 },
        { runId: 'B-1', stepId: b0!, kind: 'reminder', dueAt: T0 - 60 },
      ]);
      // Fired timers count as past; cancelled ones do not.
      await store.transaction((r) => r.clock.claimDueTimers(T0 - 30, 4, 'w1'));
      const past = (now: number) => store.read.clock.stepsPastTimers(['escalation', 'ack'], ['ack'], now);
      expect(await past(T0)).toEqual(
        new Map([
          [a0!, T0 - 30],
          [b0!, T0 - 10],
        ]),
      );
      expect(await past(T0 - 25)).toEqual(new Map([[a0!, T0 - 30]]));
      await store.transaction((r) => r.timers.cancelForSteps([a0!]));
      expect(await past(T0)).toEqual(
        new Map([
          [a0!, T0 - 30],
          [b0!, T0 - 10],
        ]),
      );
      await store.transaction((r) => r.timers.cancelForSteps([b0!], ['escalation']));
      expect(await past(T0)).toEqual(new Map([[a0!, T0 - 30]]));
      // Unacknowledged, the ack timer counts for the blocked step.
      const unacked = (await store.read.runs.get('B-1'))!;
      unacked.steps[0]!.acknowledgedAt = null;
      await store.transaction((r) => r.runs.save(unacked, [0], unacked.version));
      expect((await past(T0)).get(b0!)).toBe(T0 - 40);
    });

    it('when the GDPR clocks are listed, then pending run-level timers of that kind with their run, earliest first', async () => {
      const { store } = db();
      const [a] = await insertRuns(
        store,
        makeRun('A-1', { threadTs: '1.0001', rootTs: '1.0001' }),
        makeRun('B-1', { status: 'blocked', channelId: null }),
      );
      const [a0] = stepIds(a!);
      await schedule(store, [
        { runId: 'A-1', stepId: null, kind: 'gdpr', dueAt: T0 + 2 * HOUR },
        { runId: 'B-1', stepId: null, kind: 'gdpr', dueAt: T0 + HOUR, data: { notified: ['authority'] } },
        { runId: 'A-1', stepId: a0!, kind: 'gdpr', dueAt: T0 },
        { runId: 'A-1', stepId: null, kind: 'reminder', dueAt: T0 },
      ]);
      await schedule(store, [{ runId: 'A-1', stepId: null, kind: 'gdpr', dueAt: T0 }]);
      await store.transaction((r) => r.clock.claimDueTimers(T0, 10, 'w1'));
      const clocks = await store.read.clock.runTimers('gdpr');
      expect(clocks).toEqual([
        {
          runId: 'B-1',
          title: 'Run B-1',
          runStatus: 'blocked',
          channelId: null,
          threadTs: null,
          rootTs: null,
          data: { notified: ['authority'] },
          dueAt: T0 + HOUR,
        },
        expect.objectContaining({ runId: 'A-1', threadTs: '1.0001', rootTs: '1.0001', dueAt: T0 + 2 * HOUR }),
      ]);
      expect(await store.read.clock.runTimers('none')).toEqual([]);
    });
  });
}
