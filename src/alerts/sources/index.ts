// The parser of each alert source, by the name in `POST /api/v1/alerts/{source}`.
import type { AlertParser, AlertSource } from '../alert.ts';
import { alertmanager, grafana } from './alertmanager.ts';
import { datadog } from './datadog.ts';
import { generic } from './generic.ts';
import { pagerduty } from './pagerduty.ts';
import { sentry } from './sentry.ts';

export const ALERT_PARSERS: Record<AlertSource, AlertParser> = {
  alertmanager,
  grafana,
  datadog,
  pagerduty,
  sentry,
  generic,
};
