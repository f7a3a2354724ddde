// Chain metrics as seed 004's table on a seeded history: frequency (runs started), average
// and p90 duration, success rate, and the step that most needs improving, named.
import { describe, expect, it } from 'vitest';
import { playbookDirs } from '../../../routing/playbooks/load.ts';
import { buildDigestData } from '../../../src/services/digests/digest.ts';
import { computeMetrics } from '../../../src/services/metrics/metrics.ts';
import { digestSections, markdownFmt, metricsText } from '../../../src/services/reports/report-text.ts';
import { userFor } from '../../support/engine.ts';
import { createClockEngine, DAY, HOUR } from '../clocks/clock-engine.ts';
import { deliverStep, startAlgo } from './history.ts';

describe('chain metrics: the seed 004 table', () => {
  it('when triage was escalated and waited longest while integration testing was blocked once, then Triage is named, with p90, frequency and success rate', async () => {
    const e = await createClockEngine({ dirs: playbookDirs() });
    const from = e.clock.ms;
    const durations: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await startAlgo(e, `Algorithm change ${i + 1}`);
      const began = e.clock.ms;
      await deliverStep(e, run.id, HOUR); // intake
      // Triage: not acknowledged for 15 hours (escalated at 14 h), then done.
      await deliverStep(e, run.id, 15 * HOUR, { ack: false });
      await deliverStep(e, run.id, 2 * HOUR); // development
      await deliverStep(e, run.id, HOUR, { block: i === 2 }); // integration testing
      await deliverStep(e, run.id, HOUR); // rollout
      const done = await deliverStep(e, run.id, HOUR); // retrospective
      expect(done.status).toBe('done');
      durations.push(e.clock.ms - began);
      e.clock.advance(DAY);
    }
    // One rejected at triage: three done of four closed.
    const rejected = await startAlgo(e, 'Algorithm change rejected');
    await deliverStep(e, rejected.id, HOUR);
    await e.runs.rejectRun(rejected.id, await e.as(userFor('OpsLead')), { reason: 'impact too low' });
    // One still open.
    await startAlgo(e, 'Algorithm change in progress');

    const report = await computeMetrics(e.store.read.reports, e.playbooks, { from, to: e.clock.ms + 1 });
    const algo = report.chains.find((c) => c.chain === 'algorithm_change')!;
    expect(algo).toMatchObject({ started: 5, count: 4, done: 3, open: 1, successRate: 0.75 });
    expect(algo.avgDurationMs).toBe(durations.reduce((a, b) => a + b, 0) / 3);
    expect(algo.p90DurationMs).toBe(Math.max(...durations));
    expect(algo.improvement).toMatchObject({
      stepKey: 'triage',
      stepTitle: 'Triage',
      reasons: ['escalated', 'waited'],
      escalated: 3,
      blocked: 0,
    });
    expect(metricsText(report)).toMatch(
      /\*\*Algorithm Change\*\*: 4 closed, avg .*, success 75%, 1 open · 5 started, p90 .* · improvements needed: Triage \(escalated most, 3×; waited longest, avg 15h\)/,
    );
    // A chain with no history names nothing.
    expect(report.chains.find((c) => c.chain === 'bug')).toMatchObject({
      started: 0,
      p90DurationMs: null,
      improvement: null,
    });

    // The #algo-sync digest lists the algorithm changes shipped and pending as their own section.
    const digest = await buildDigestData(e.store.read, {
      kind: 'weekly',
      periodKey: 'w',
      now: e.clock.ms,
      since: from,
      timeZone: 'UTC',
      playbooks: e.playbooks,
    });
    const section = digestSections(digest, markdownFmt).find((s) => s.title.startsWith('Algorithm Changes'))!;
    expect(section.title).toBe('Algorithm Changes: 3 shipped, 1 pending');
    expect(section.lines).toEqual([
      '• shipped ALGO-3 Algorithm change 3',
      '• shipped ALGO-2 Algorithm change 2',
      '• shipped ALGO-1 Algorithm change 1',
      '• pending ALGO-5 Algorithm change in progress: Intake',
    ]);
  });

  it('when one step blocked most and another was escalated most, then the escalated one is named first; a blocked-only history names the blocked step', async () => {
    const { improvementNeeded } = await import('../../../src/services/metrics/metrics.ts');
    const row = (stepKey: string, o: Partial<{ escalated: number; blocked: number; avgWaitMs: number }>) => ({
      chain: 'c',
      stepKey,
      stepTitle: stepKey.toUpperCase(),
      done: 1,
      avgWaitMs: o.avgWaitMs ?? null,
      blocked: o.blocked ?? 0,
      escalated: o.escalated ?? 0,
    });
    const order = ['a', 'b', 'c'];
    expect(
      improvementNeeded(
        [row('a', { blocked: 3, avgWaitMs: 10 }), row('b', { escalated: 1, avgWaitMs: 5 })],
        order,
      ),
    ).toMatchObject({ stepKey: 'a', reasons: ['blocked', 'waited'] });
    expect(improvementNeeded([row('a', { blocked: 3 }), row('b', { escalated: 1 })], order)).toMatchObject({
      stepKey: 'b',
      reasons: ['escalated'],
    });
    expect(improvementNeeded([row('c', { blocked: 2 })], order)).toMatchObject({ stepKey: 'c' });
    expect(improvementNeeded([], order)).toBeNull();
  });
});
