// ReportRepository's chain figures for seed 004's table and the weekly chart: runs started and
// the p90 duration per chain, waits, blocks and escalations per step, and the durations of the
// runs done.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/domain/types.ts';
import type { Backend } from './backend.ts';
import { HOUR, insertRuns, makeClosedRun, makeRun, makeStep, T0, useBackend } from './fixtures.ts';

const DAY = 24 * HOUR;

/** An Intake step handed off at T0 and done at `completedAt`. */
const intakeDone = (completedAt: number) =>
  makeStep(0, { key: 'intake', title: 'Intake', status: 'done', startedAt: T0, completedAt });

export function describeChainReportQueriesContract(backend: Backend) {
  describe(`report repository, chain figures (${backend.name})`, () => {
    const db = useBackend(backend);

    it('when runs started and p90 durations are asked for, then per chain in name order, nearest rank, in the window', async () => {
      const { store } = db();
      const bugs = Array.from({ length: 10 }, (_, i) =>
        makeClosedRun(`B-${i + 1}`, 'done', T0, T0 + (i + 1) * HOUR, { chain: 'bug', seq: i + 1 }),
      );
      await insertRuns(
        store,
        ...bugs,
        makeClosedRun('B-11', 'rejected', T0, T0 + 50 * HOUR, { chain: 'bug', seq: 11 }),
        makeClosedRun('F-1', 'done', T0 - 2 * DAY, T0 - DAY, { chain: 'feature', seq: 1 }),
        makeRun('A-1', { chain: 'audit', createdAt: T0 + HOUR, seq: 1 }),
      );
      const q = store.read.reports;
      expect(await q.chainDetails(T0, T0 + 3 * DAY)).toEqual([
        { chain: 'audit', started: 1, p90DurationMs: null },
        { chain: 'bug', started: 11, p90DurationMs: 9 * HOUR },
      ]);
      expect(await q.chainDetails(null, null)).toEqual([
        { chain: 'audit', started: 1, p90DurationMs: null },
        { chain: 'bug', started: 11, p90DurationMs: 9 * HOUR },
        { chain: 'feature', started: 1, p90DurationMs: DAY },
      ]);
      expect(await q.doneDurations(T0, T0 + 3 * HOUR)).toEqual([
        { chain: 'bug', closedAt: T0 + HOUR, durationMs: HOUR },
        { chain: 'bug', closedAt: T0 + 2 * HOUR, durationMs: 2 * HOUR },
      ]);
    });

    it('when step figures are asked for, then waits of the steps done, blocks and escalations sent, per chain and step', async () => {
      const { store } = db();
      await insertRuns(
        store,
        makeRun('A-1', {
          chain: 'algo',
          seq: 1,
          steps: [
            intakeDone(T0 + HOUR),
            makeStep(1, { key: 'triage', title: 'Triage', status: 'active', startedAt: T0 + HOUR }),
          ],
        }),
        makeRun('A-2', { chain: 'algo', seq: 2, steps: [intakeDone(T0 + 3 * HOUR)] }),
      );
      const event = (
        runId: string,
        type: string,
        stepKey: string,
        data: Record<string, unknown> = {},
      ): RunEvent => ({
        runId,
        at: T0 + 2 * HOUR,
        actor: 'system',
        type,
        stepKey,
        data,
      });
      await store.transaction((r) =>
        r.events.append([
          event('A-1', 'step_blocked', 'triage'),
          event('A-1', 'gate_failed', 'triage'),
          event('A-1', 'timer_fired', 'triage', { kind: 'ack_escalation' }),
          event('A-1', 'timer_fired', 'triage', { kind: 'done_escalation', skipped: 'step_not_open' }),
          event('A-1', 'timer_fired', 'triage', { kind: 'ack_reminder' }),
        ]),
      );
      const rows = await store.read.reports.stepStats(T0, T0 + DAY);
      const byKey = Object.fromEntries(rows.map((r) => [`${r.chain}/${r.stepKey}`, r]));
      expect(byKey).toEqual({
        'algo/intake': {
          chain: 'algo',
          stepKey: 'intake',
          stepTitle: 'Intake',
          done: 2,
          avgWaitMs: 2 * HOUR,
          blocked: 0,
          escalated: 0,
        },
        'algo/triage': {
          chain: 'algo',
          stepKey: 'triage',
          stepTitle: 'Triage',
          done: 0,
          avgWaitMs: null,
          blocked: 2,
          escalated: 1,
        },
      });
      expect(await store.read.reports.stepStats(T0 + DAY, null)).toEqual([]);
    });
  });
}
