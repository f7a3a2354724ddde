// An alert as ProjectLead reads it, whatever tool sent it: each source's parser
// (src/alerts/sources/) turns the tool's own webhook payload into these, and the alert service
// opens, adds to or resolves an incident from them. Pure: no I/O.
import type { AlertLevel, AlertState } from '../../routing/alert-severity.ts';
import type { Severity } from '../../routing/vocabulary.ts';

export const ALERT_SOURCES = [
  'alertmanager',
  'grafana',
  'datadog',
  'pagerduty',
  'sentry',
  'generic',
] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export const isAlertSource = (s: string): s is AlertSource =>
  (ALERT_SOURCES as readonly string[]).includes(s);

export interface AlertLink {
  label: string;
  url: string;
}

export interface NormalizedAlert {
  source: AlertSource;
  /** One problem, one key: an Alertmanager group, a fingerprint, a dedup or cycle key, an issue id. */
  dedupKey: string;
  status: 'firing' | 'resolved';
  title: string;
  /** The affected service, when the payload names one. */
  service: string | null;
  /** What the alert says, in a line or two. */
  summary: string | null;
  /** How bad the tool says it is, in the words of the severity mapping (routing/alert-severity.yml). */
  level: AlertLevel | null;
  /** Whether the payload says the service is down or degraded. */
  state: AlertState | null;
  /** A severity the payload names outright (a `severity: sev1` label). */
  severity: Severity | null;
  labels: Record<string, string>;
  /** The values that fired (`error_rate=12%`), a few at most. */
  values: string[];
  links: AlertLink[];
  /** How many alerts this one stands for (an Alertmanager group of 100 is one alert of count 100). */
  count: number;
  startedAt: string | null;
  /** The delivery's own ID (PagerDuty's event id, Sentry's Request-ID): a repeat of it is taken once. */
  deliveryId: string | null;
}

/** A payload that is not the source's format: the message names what is wrong. */
export class AlertFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertFormatError';
  }
}

export interface AlertRequest {
  body: unknown;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
}

export type AlertParser = (req: AlertRequest) => NormalizedAlert[];

/** At most `n` values, each at most 200 characters. */
export function someValues(values: string[], n = 10): string[] {
  return values
    .filter((v) => v.trim() !== '')
    .slice(0, n)
    .map((v) => (v.length > 200 ? `${v.slice(0, 199)}…` : v));
}

/** A link, if the URL is an http(s) URL. */
export function link(label: string, url: unknown): AlertLink[] {
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) return [];
  return [{ label, url }];
}
