// ReportRepository (`repos.reports`): open steps for digests, closed runs, per-chain figures and
// restore times.
import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.ts';
import { HOUR, insertRuns, makeClosedRun, makeRun, makeStep, T0, useBackend } from './fixtures.ts';

const DAY = 24 * HOUR;

export function describeClockReportQueriesContract(backend: Backend) {
  describe(`report repository (${backend.name})`, () => {
    const db = useBackend(backend);

    it('when open steps are listed, then each open run’s active or blocked steps, oldest run first', async () => {
      const { store } = db();
      await insertRuns(
        store,
        makeRun('LATE-1', { createdAt: T0 + HOUR, seq: 1, chain: 'bug' }),
        makeRun('B-2', {
          createdAt: T0,
          seq: 2,
          status: 'blocked',
          blockedReason: 'legal',
          severity: 'high',
          steps: [
            makeStep(0, { status: 'done' }),
            makeStep(1, {
              status: 'blocked',
              blockReason: 'legal review',
              blockedBy: 'UPRIV',
              blockedByRole: 'Privacy',
              startedAt: T0 + 1,
              acknowledgedAt: T0 + 2,
            }),
          ],
        }),
        makeRun('A-1', { createdAt: T0, seq: 1 }),
        makeClosedRun('DONE-1', 'done', T0 - DAY, T0, { chain: 'bug', seq: 9 }),
        // An open step left on a closed run is not listed.
        makeRun('CAN-1', { status: 'cancelled', closedAt: T0, createdAt: T0 - DAY, seq: 10 }),
      );
      const rows = await store.read.reports.openSteps();
      expect(rows.map((r) => `${r.runId}/${r.stepKey}`)).toEqual(['A-1/step0', 'B-2/step1', 'LATE-1/step0']);
      expect(rows[1]).toEqual({
        runId: 'B-2',
        chain: 'feature',
        title: 'Run B-2',
        runStatus: 'blocked',
        severity: 'high',
        channelId: 'C1',
        threadTs: null,
        rootTs: null,
        runCreatedAt: T0,
        blockedReason: 'legal',
        stepId: expect.any(Number),
        stepKey: 'step1',
        stepTitle: 'Step 1',
        stepStatus: 'blocked',
        owners: ['Architect'],
        approvers: [],
        assignees: { Architect: ['UARCH'] },
        deliveries: {},
        startedAt: T0 + 1,
        acknowledgedAt: T0 + 2,
        blockReason: 'legal review',
        blockedBy: 'UPRIV',
        blockedByRole: 'Privacy',
      });
    });

    it('when closed runs are listed for a window, then those closed in [from, to), newest first, filtered and limited', async () => {
      const { store } = db();
      await insertRuns(
        store,
        makeClosedRun('D-1', 'done', T0 - DAY, T0, { severity: 'sev1', threadTs: '1.1', rootTs: '1.1' }),
        makeClosedRun('D-2', 'done', T0 - DAY, T0 + HOUR),
        makeClosedRun('R-1', 'rejected', T0 - DAY, T0 + 2 * HOUR),
        makeClosedRun('C-1', 'cancelled', T0 - DAY, T0 + 3 * HOUR),
        makeClosedRun('OUT-1', 'done', T0 - DAY, T0 - 1),
        makeRun('OPEN-1'),
      );
      const q = store.read.reports;
      const ids = async (...args: Parameters<typeof q.closedRuns>) =>
        (await q.closedRuns(...args)).map((r) => r.id);
      expect(await ids(T0, T0 + 3 * HOUR)).toEqual(['R-1', 'D-2', 'D-1']);
      expect(await ids(T0, T0 + DAY, ['done'])).toEqual(['D-2', 'D-1']);
      expect(await ids(T0, T0 + DAY, undefined, 2)).toEqual(['C-1', 'R-1']);
      const [d1] = await q.closedRuns(T0, T0 + 1);
      expect(d1).toEqual({
        id: 'D-1',
        chain: 'feature',
        title: 'Run D-1',
        status: 'done',
        severity: 'sev1',
        channelId: 'C1',
        threadTs: '1.1',
        rootTs: '1.1',
        createdAt: T0 - DAY,
        closedAt: T0,
      });
      expect(await q.countClosed(T0, T0 + 3 * HOUR)).toBe(3);
      expect(await q.countClosed(T0, T0 + DAY, ['done', 'cancelled'])).toBe(3);
      expect(await q.countClosed(T0 + DAY, T0 + 2 * DAY)).toBe(0);
    });

    it('when runs closed at the same time are listed, then the tie is broken by run id, highest first', async () => {
      const { store } = db();
      await insertRuns(
        store,
        makeClosedRun('FEAT-2', 'done', T0 - DAY, T0),
        makeClosedRun('FEAT-3', 'done', T0 - DAY, T0),
        makeClosedRun('FEAT-1', 'done', T0 - DAY, T0),
      );
      expect((await store.read.reports.closedRuns(T0, T0 + 1)).map((r) => r.id)).toEqual([
        'FEAT-3',
        'FEAT-2',
        'FEAT-1',
      ]);
    });

    it('when figures per chain are asked for, then closed and done runs and the average time to done, per chain in name order', async () => {
      const { store } = db();
      await insertRuns(
        store,
        makeClosedRun('B-1', 'done', T0, T0 + 2 * HOUR, { chain: 'bug' }),
        makeClosedRun('B-2', 'done', T0, T0 + 4 * HOUR, { chain: 'bug' }),
        makeClosedRun('B-3', 'rejected', T0, T0 + 10 * HOUR, { chain: 'bug' }),
        makeClosedRun('A-1', 'cancelled', T0, T0 + HOUR, { chain: 'audit' }),
        makeClosedRun('F-1', 'done', T0 - 2 * DAY, T0 - DAY, { chain: 'feature' }),
        makeRun('F-2', { chain: 'feature' }),
      );
      const q = store.read.reports;
      expect(await q.chainStats(T0, T0 + DAY)).toEqual([
        { chain: 'audit', closed: 1, done: 0, avgDurationMs: null },
        { chain: 'bug', closed: 3, done: 2, avgDurationMs: 3 * HOUR },
      ]);
      expect(await q.chainStats(null, null)).toEqual([
        { chain: 'audit', closed: 1, done: 0, avgDurationMs: null },
        { chain: 'bug', closed: 3, done: 2, avgDurationMs: 3 * HOUR },
        { chain: 'feature', closed: 1, done: 1, avgDurationMs: DAY },
      ]);
      expect((await q.chainStats(null, T0)).map((s) => s.chain)).toEqual(['feature']);
      expect(await q.chainStats(T0 + DAY, null)).toEqual([]);
    });

    it('when open runs are counted, then per chain, active and blocked alike', async () => {
      const { store } = db();
      expect(await store.read.reports.openCounts()).toEqual(new Map());
      await insertRuns(
        store,
        makeRun('F-1', { chain: 'feature', seq: 1 }),
        makeRun('F-2', { chain: 'feature', seq: 2, status: 'blocked' }),
        makeRun('B-1', { chain: 'bug', seq: 1 }),
        makeClosedRun('B-2', 'done', T0, T0 + 1, { chain: 'bug', seq: 2 }),
        makeClosedRun('A-1', 'cancelled', T0, T0 + 1, { chain: 'audit', seq: 1 }),
      );
      expect(await store.read.reports.openCounts()).toEqual(
        new Map([
          ['feature', 2],
          ['bug', 1],
        ]),
      );
    });

    it('when restore times are asked for, then per severity the average from run start to the step done, in the window', async () => {
      const { store } = db();
      const incident = (id: string, severity: 'sev1' | 'sev2' | 'sev3', restoredAfter: number | null) =>
        makeRun(id, {
          chain: 'incident',
          severity,
          createdAt: T0,
          steps: [
            makeStep(0, { key: 'triage', status: 'done', completedAt: T0 + 1 }),
            makeStep(1, {
              key: 'restore',
              status: restoredAfter === null ? 'active' : 'done',
              completedAt: restoredAfter === null ? null : T0 + restoredAfter,
            }),
          ],
        });
      await insertRuns(
        store,
        incident('I-1', 'sev1', HOUR),
        incident('I-2', 'sev1', 3 * HOUR),
        incident('I-3', 'sev2', 30 * 60_000),
        incident('I-4', 'sev2', null),
        incident('I-5', 'sev3', HOUR),
        incident('I-6', 'sev1', 2 * DAY),
        makeRun('OTHER-1', {
          chain: 'bug',
          severity: 'sev1',
          steps: [makeStep(0, { key: 'restore', status: 'done', completedAt: T0 + 1 })],
        }),
      );
      const q = store.read.reports;
      expect(await q.restoreTimes('incident', 'restore', ['sev1', 'sev2'], T0, T0 + DAY)).toEqual(
        new Map([
          ['sev1', { count: 2, avgMs: 2 * HOUR }],
          ['sev2', { count: 1, avgMs: 30 * 60_000 }],
        ]),
      );
      expect((await q.restoreTimes('incident', 'restore', ['sev1'], null, null)).get('sev1')).toEqual({
        count: 3,
        avgMs: (HOUR + 3 * HOUR + 2 * DAY) / 3,
      });
      expect(await q.restoreTimes('incident', 'restore', ['sev1'], T0 + DAY, null)).toEqual(
        new Map([['sev1', { count: 1, avgMs: 2 * DAY }]]),
      );
      expect(await q.restoreTimes('incident', 'triage', ['sev3'], null, T0 + 1)).toEqual(new Map());
    });
  });
}
