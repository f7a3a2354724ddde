// An incident opened from a monitoring alert keeps what the alert said on its run
// (`run.context.alert`): where it came from, how often it fired, its latest values and links,
// the severity proposed from it, and the incident it follows when it fired again after one
// closed. The root message shows it; notices about it carry what they say. Pure.
import type { RoleMention } from './types.ts';

export interface AlertLink {
  label: string;
  url: string;
}

export interface RunAlert {
  source: string;
  dedupKey: string;
  title: string;
  service: string | null;
  status: 'firing' | 'resolved';
  /** Deliveries received, the first included. */
  received: number;
  /** Alerts firing in the latest delivery. */
  firing: number;
  /** When the latest arrived (epoch ms). */
  lastAt: number;
  values: string[];
  links: AlertLink[];
  proposedSeverity: string;
  /** Why that severity was proposed, in words. */
  because: string;
  /** The incident this problem opened before, closed since. */
  previousRunId: string | null;
  resolvedAt: number | null;
}

/** A line in the incident's thread about its alert. */
export interface AlertNoticeFields {
  type: 'alert';
  runId: string;
  event: 'opened' | 'repeated' | 'resolved';
  alert: RunAlert;
  /** On a resolved alert, while Mitigate is active: its owners are asked to confirm. */
  mitigate: { stepKey: string; stepTitle: string; mentions: RoleMention[] } | null;
}

export const alertOf = (context: Record<string, unknown>): RunAlert | null =>
  (context.alert as RunAlert | undefined) ?? null;
