// What the reports hold: digests (the outbox payload and its data) and chain metrics. Plain
// data, built by src/services/digests and src/services/metrics, rendered by each surface.
import type { RoleMention } from './types.ts';

export type DigestKind = 'daily' | 'weekly';
export const DIGEST_KINDS: readonly DigestKind[] = ['daily', 'weekly'];

export interface RunRef {
  id: string;
  title: string;
  chain: string;
  /** Permalink to the run's thread, when it has one and the workspace URL is known. */
  link: string | null;
}

export interface PendingItem extends RunRef {
  stepTitle: string;
  owners: RoleMention[];
  /** How long the step has waited. */
  ageMs: number;
  acknowledged: boolean;
}

export interface DigestData {
  kind: DigestKind;
  periodKey: string;
  generatedAt: number;
  timeZone: string;
  /** Start of "shipped since the last digest". */
  since: number;
  shipped: { total: number; items: (RunRef & { closedAt: number; durationMs: number })[] };
  pending: {
    total: number;
    groups: {
      chain: string;
      chainTitle: string;
      stepKey: string;
      stepTitle: string;
      count: number;
      items: PendingItem[];
    }[];
  };
  blocked: {
    total: number;
    items: (RunRef & {
      stepTitle: string;
      reason: string;
      by: string | null;
      role: string | null;
      ageMs: number;
    })[];
  };
  overdue: { total: number; items: (PendingItem & { phase: 'ack' | 'done'; overdueByMs: number })[] };
  incidents: { total: number; bySeverity: { severity: string; count: number; items: RunRef[] }[] };
  gdpr: {
    items: (RunRef & { startedAt: number; deadlineAt: number; remainingMs: number; overdue: boolean })[];
  };
  /**
   * The Algorithm Change chain's runs (seed 000: "changes shipped and pending"): shipped since
   * the last digest and in progress with their current step. Absent when the chain is not loaded.
   */
  algorithmChanges?: {
    chainTitle: string;
    shipped: { total: number; items: (RunRef & { closedAt: number })[] };
    pending: { total: number; items: (RunRef & { stepTitle: string; blocked: boolean })[] };
  };
  /**
   * Weekly only: follow-ups of post-mortems still open, by incident (a follow-up is listed until
   * it closes; the incident's own close time, and MTTR, do not wait for it).
   */
  followUps?: {
    total: number;
    incidents: { incident: RunRef; items: (RunRef & { status: string })[] }[];
  };
  /** Weekly only. */
  metrics: { current: MetricsReport; previous: MetricsReport; change: MetricsChange[] } | null;
  /** Open runs with messages Slack refused: held until the bot is invited, or failed. */
  deliveryProblems?: (RunRef & { held: number; failed: number; errors: string[] })[];
}

/** The outbox payload of a digest (Delivery: the digest channel). */
export type DigestNotice = {
  type: 'digest';
  /** A digest belongs to no run. */
  runId?: undefined;
  kind: DigestKind;
  periodKey: string;
  title: string;
  /** The whole digest as Markdown (the archive; each surface renders `data` its own way). */
  text: string;
  data: DigestData;
};

export interface ChainMetrics {
  chain: string;
  title: string;
  /** Runs closed in the window (done, rejected or cancelled). */
  count: number;
  done: number;
  /** Runs open now. */
  open: number;
  /** Average start → close of the runs done, ms; null when none. */
  avgDurationMs: number | null;
  /** done / closed, 0..1; null when none closed. */
  successRate: number | null;
  /** Runs started in the window (the seed's "frequency"). */
  started?: number;
  /** 90th percentile start → close of the runs done, ms; null when none. */
  p90DurationMs?: number | null;
  /** The step that most needs improving, named; null when nothing waited, blocked or escalated. */
  improvement?: Improvement | null;
}

/** Why a step needs improving: it led on one or more of these in the window. */
export type ImprovementReason = 'escalated' | 'blocked' | 'waited';

export interface Improvement {
  stepKey: string;
  stepTitle: string;
  /** What it led on, most telling first. */
  reasons: ImprovementReason[];
  escalated: number;
  blocked: number;
  /** Its average handoff → done, ms (null when none done in the window). */
  avgWaitMs: number | null;
}

export interface Mttr {
  severity: string;
  count: number;
  avgMs: number | null;
}

export interface MetricsReport {
  from: number | null;
  to: number | null;
  chains: ChainMetrics[];
  mttr: Mttr[];
}

export interface MetricsChange {
  chain: string;
  count: number;
  avgDurationMs: number | null;
  successRate: number | null;
}

/** The weekly digest's picture: each chain's runs and median duration over the last weeks. */
export interface ChainChart {
  title: string;
  /** The weeks, oldest first: when each starts and its label ("Nov 2"). */
  weeks: { start: number; label: string }[];
  chains: {
    chain: string;
    title: string;
    /** Runs started in each week. */
    runs: number[];
    /** Median start → close of the runs done in each week, ms; null when none. */
    medianMs: (number | null)[];
  }[];
  /** The last week's bottleneck step of each chain that had one. */
  bottlenecks: { chain: string; title: string; improvement: Improvement }[];
}

/** The outbox payload that uploads the weekly digest's chart (Delivery: the digest channel). */
export type DigestChartNotice = {
  type: 'digest_chart';
  runId?: undefined;
  periodKey: string;
  chart: ChainChart;
  /** The picture, drawn before the digest was claimed (base64 PNG): sending it only uploads. */
  png: string;
};
