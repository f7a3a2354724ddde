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
