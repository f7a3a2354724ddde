// The weekly digest's chart as data: per chain, runs started and the median duration of the
// runs done in each of the last eight weeks, and the last week's bottleneck steps. Computed
// from the database once (in the digest's claim, or by `projectlead metrics --chart`); the
// picture is drawn from this data alone (render-chart.ts).
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import type { ChainChart } from '../../domain/reports.ts';
import type { ReportRepository } from '../../persistence/ports.ts';
import { computeMetrics } from './metrics.ts';

const DAY = 24 * 3_600_000;
const WEEK = 7 * DAY;
export const CHART_WEEKS = 8;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** "Nov 2": a week's first day, in the time zone. */
function weekLabel(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone }).format(ms);
}

/**
 * The chart of the eight weeks ending at `now` (each week is seven days back from it). Chains
 * with no run in those weeks are left out, so the legend names what moved.
 */
export async function buildChainChart(
  reports: ReportRepository,
  playbooks: readonly Playbook[],
  o: { now: number; timeZone: string; weeks?: number },
): Promise<ChainChart> {
  const n = o.weeks ?? CHART_WEEKS;
  const starts = Array.from({ length: n }, (_, i) => o.now - (n - i) * WEEK);
  const weeks = starts.map((start) => ({ start, label: weekLabel(start, o.timeZone) }));
  const started = await Promise.all(
    starts.map(
      async (start) =>
        new Map((await reports.chainDetails(start, start + WEEK)).map((d) => [d.chain, d.started])),
    ),
  );
  const durations = await reports.doneDurations(starts[0]!, o.now);
  const chains = playbooks
    .map((p) => {
      const perWeek: number[][] = starts.map(() => []);
      for (const d of durations) {
        if (d.chain !== p.id) continue;
        const i = Math.floor((d.closedAt - starts[0]!) / WEEK);
        if (i >= 0 && i < n) perWeek[i]!.push(d.durationMs);
      }
      return {
        chain: p.id,
        title: p.title,
        runs: started.map((m) => m.get(p.id) ?? 0),
        medianMs: perWeek.map(median),
      };
    })
    .filter((c) => c.runs.some((x) => x > 0) || c.medianMs.some((x) => x !== null));
  const week = await computeMetrics(reports, [...playbooks], { from: o.now - WEEK, to: o.now });
  const bottlenecks = week.chains.flatMap((c) =>
    c.improvement ? [{ chain: c.chain, title: c.title, improvement: c.improvement }] : [],
  );
  return {
    title: `Chains over the last ${n} weeks: runs and median duration`,
    weeks,
    chains,
    bottlenecks,
  };
}
