// Chain metrics (seed 004 "Skill Chain Metrics"): per chain, how many runs closed, their
// average duration and success rate, and MTTR for SEV1 and SEV2 incidents. Aggregated in SQL.
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import type { ChainId, Severity } from '../../../routing/vocabulary.ts';
import type {
  ChainChart,
  ChainMetrics,
  Improvement,
  ImprovementReason,
  MetricsChange,
  MetricsReport,
} from '../../domain/reports.ts';
import type { ReportRepository, StepStatsRow, Store } from '../../persistence/ports.ts';

/** MTTR: detection (the run's start) → service restored (the Mitigate step done). */
export const MTTR_CHAIN: ChainId = 'incident';
export const MTTR_STEP = 'mitigate';
export const MTTR_SEVERITIES = ['sev1', 'sev2'] as const satisfies readonly Severity[];

export async function computeMetrics(
  reports: ReportRepository,
  playbooks: Playbook[],
  window: { from: number | null; to: number | null } = { from: null, to: null },
): Promise<MetricsReport> {
  const stats = new Map((await reports.chainStats(window.from, window.to)).map((s) => [s.chain, s]));
  const open = await reports.openCounts();
  const details = new Map((await reports.chainDetails(window.from, window.to)).map((d) => [d.chain, d]));
  const steps = await reports.stepStats(window.from, window.to);
  const chains: ChainMetrics[] = playbooks.map((p) => {
    const s = stats.get(p.id);
    const count = s?.closed ?? 0;
    const done = s?.done ?? 0;
    return {
      chain: p.id,
      title: p.title,
      count,
      done,
      open: open.get(p.id) ?? 0,
      avgDurationMs: s?.avgDurationMs ?? null,
      successRate: count > 0 ? done / count : null,
      started: details.get(p.id)?.started ?? 0,
      p90DurationMs: details.get(p.id)?.p90DurationMs ?? null,
      improvement: improvementNeeded(
        steps.filter((r) => r.chain === p.id),
        p.steps.map((s) => s.key),
      ),
    };
  });
  const restore = await reports.restoreTimes(
    MTTR_CHAIN,
    MTTR_STEP,
    [...MTTR_SEVERITIES],
    window.from,
    window.to,
  );
  const mttr = MTTR_SEVERITIES.map((severity) => {
    const r = restore.get(severity);
    return { severity, count: r?.count ?? 0, avgMs: r?.avgMs ?? null };
  });
  return { from: window.from, to: window.to, chains, mttr };
}

/**
 * The step of a chain that most needs improving: of the step escalated most, the one blocked
 * most and the one that waited longest (average handoff → done), the step that leads on most
 * of these; between equals, escalations count before blocks, blocks before waits, and then
 * the earlier step in the chain. Null when no step waited, blocked or escalated.
 */
export function improvementNeeded(
  rows: readonly StepStatsRow[],
  order: readonly string[],
): Improvement | null {
  const rank = (key: string) => {
    const i = order.indexOf(key);
    return i < 0 ? order.length : i;
  };
  const leader = (value: (r: StepStatsRow) => number): StepStatsRow | null => {
    let best: StepStatsRow | null = null;
    for (const r of rows) {
      const v = value(r);
      if (v <= 0) continue;
      if (!best || v > value(best) || (v === value(best) && rank(r.stepKey) < rank(best.stepKey))) best = r;
    }
    return best;
  };
  const leaders: [ImprovementReason, StepStatsRow | null][] = [
    ['escalated', leader((r) => r.escalated)],
    ['blocked', leader((r) => r.blocked)],
    ['waited', leader((r) => r.avgWaitMs ?? 0)],
  ];
  const reasons = new Map<string, ImprovementReason[]>();
  for (const [reason, r] of leaders)
    if (r) reasons.set(r.stepKey, [...(reasons.get(r.stepKey) ?? []), reason]);
  let named: StepStatsRow | null = null;
  for (const [, r] of leaders) {
    if (r && (!named || reasons.get(r.stepKey)!.length > reasons.get(named.stepKey)!.length)) named = r;
  }
  if (!named) return null;
  return {
    stepKey: named.stepKey,
    stepTitle: named.stepTitle,
    reasons: reasons.get(named.stepKey)!,
    escalated: named.escalated,
    blocked: named.blocked,
    avgWaitMs: named.avgWaitMs,
  };
}

const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/** This window minus the one before, per chain. */
export function metricsChange(current: MetricsReport, previous: MetricsReport): MetricsChange[] {
  const before = new Map(previous.chains.map((c) => [c.chain, c]));
  return current.chains.map((c) => {
    const p = before.get(c.chain);
    return {
      chain: c.chain,
      count: c.count - (p?.count ?? 0),
      avgDurationMs: diff(c.avgDurationMs, p?.avgDurationMs ?? null),
      successRate: diff(c.successRate, p?.successRate ?? null),
    };
  });
}

/** `/lead metrics`, App Home and `projectlead metrics`: all-time, or a window of close times. */
export function createMetricsService(deps: {
  store: Store;
  playbooks: Playbook[];
  clock?: () => number;
  /** The digests' time zone: the chart's week labels. */
  timeZone?: string;
}) {
  return {
    getMetrics: (window: { from: number | null; to: number | null } = { from: null, to: null }) =>
      computeMetrics(deps.store.read.reports, deps.playbooks, window),
    /** The weekly digest's chart data for the eight weeks ending now. */
    chart: (now: number = (deps.clock ?? Date.now)()) =>
      buildChainChart(deps.store.read.reports, deps.playbooks, { now, timeZone: deps.timeZone ?? 'UTC' }),
  };
}

export type MetricsService = ReturnType<typeof createMetricsService>;

// ---- the weekly digest's chart, as data: runs and median durations over eight weeks

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
