// The alert fixtures: one realistic payload per source, firing and resolved, written by hand
// after each tool's documented format.
import { readFileSync } from 'node:fs';

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** Each source's firing and resolved payload, with the headers the tool sends. */
export const SOURCES = {
  alertmanager: { firing: 'alertmanager-firing', resolved: 'alertmanager-resolved', headers: {} },
  grafana: { firing: 'grafana-firing', resolved: 'grafana-resolved', headers: {} },
  datadog: { firing: 'datadog-firing', resolved: 'datadog-resolved', headers: {} },
  pagerduty: { firing: 'pagerduty-firing', resolved: 'pagerduty-resolved', headers: {} },
  sentry: {
    firing: 'sentry-metric-firing',
    resolved: 'sentry-metric-resolved',
    headers: { 'sentry-hook-resource': 'metric_alert' },
  },
  generic: { firing: 'generic-firing', resolved: 'generic-resolved', headers: {} },
} as const;
