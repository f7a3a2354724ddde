// The weekly digest's chart: each chain's runs and median duration over the last eight weeks,
// the week's bottleneck steps marked, drawn in-process as a PNG of the expected size.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { playbookDirs } from '../../../routing/playbooks/load.ts';
import { CHART_HEIGHT, CHART_WIDTH, chartPng, chartSvg } from '../../../src/services/metrics/chart-png.ts';
import { buildChainChart } from '../../../src/services/metrics/metrics.ts';
import { createClockEngine, HOUR } from '../clocks/clock-engine.ts';
import { pngSize, seedWeeks } from './history.ts';

describe('the chains chart', () => {
  it('when drawn for a seeded history, then it has eight weeks of runs and medians, marks the bottleneck, and is a PNG of 1200×675', async () => {
    const e = await createClockEngine({ dirs: playbookDirs() });
    await seedWeeks(e);
    const chart = await buildChainChart(e.store.read.reports, e.playbooks, {
      now: e.clock.ms,
      timeZone: 'UTC',
    });
    expect(chart.weeks).toHaveLength(8);
    expect(chart.weeks[0]!.label).toBe('Oct 19');
    expect(chart.chains.map((c) => [c.chain, c.runs])).toEqual([
      ['bug', [0, 0, 2, 1, 2, 1, 2, 1]],
      ['algorithm_change', [0, 0, 0, 0, 1, 1, 1, 1]],
    ]);
    // Seven Bug Fix steps, 1 hour apart and 2 hours apart in the first seeded week (median of
    // 7 h and 14 h), 2 hours apart in the second.
    const bug = chart.chains.find((c) => c.chain === 'bug')!;
    expect(bug.medianMs[2]).toBe(10.5 * HOUR);
    expect(bug.medianMs[3]).toBe(14 * HOUR);
    expect(bug.medianMs[0]).toBeNull();
    expect(chart.bottlenecks).toEqual([
      // Every Bug Fix step waited as long: the first is named.
      expect.objectContaining({ chain: 'bug', improvement: expect.objectContaining({ stepKey: 'report' }) }),
      expect.objectContaining({
        chain: 'algorithm_change',
        improvement: expect.objectContaining({ stepKey: 'triage' }),
      }),
    ]);
    const svg = await chartSvg(chart);
    expect(svg).toContain('Algorithm Change (median)');
    expect(svg).toContain('Triage (escalated most, 1×');
    const png = await chartPng(chart);
    expect(pngSize(png)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    expect(png.length).toBeGreaterThan(10_000);
    // The same data draws the same picture.
    expect(Buffer.from(await chartPng(chart)).equals(Buffer.from(png))).toBe(true);
    if (process.env.CHART_OUT) writeFileSync(process.env.CHART_OUT, png);
    expect(() => pngSize(readFileSync(new URL(import.meta.url)))).toThrow('not a PNG');
  }, 60_000);
});

describe('projectlead metrics --chart', () => {
  it('when given a file, then it writes the chart as a PNG; without one, it says how to use it', async () => {
    const { cli } = await import('../../support/cli.ts');
    const { tempDbPath } = await import('../../support/engine.ts');
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'projectlead-chart-')), 'chains.png');
    const db = tempDbPath('chart');
    expect((await cli(['migrate'], { DATABASE_URL: db })).code).toBe(0);
    const { code, out } = await cli(['metrics', '--chart', file], { DATABASE_URL: db });
    expect(code).toBe(0);
    expect(out).toMatch(/wrote .*chains\.png \(1200×675 PNG/);
    expect(pngSize(readFileSync(file))).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    const usage = await cli(['metrics', '--chart'], { DATABASE_URL: db });
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/usage: projectlead metrics --chart <file.png>/);
  }, 60_000);
});
