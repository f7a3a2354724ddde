// Prometheus Alertmanager's webhook (payload version 4), and Grafana's unified alerting webhook,
// which extends it. One group (`groupKey`) is one problem: its alerts, however many, are one
// alert of that count, so a storm of one group opens one incident.
import { z } from 'zod';
import {
  type AlertParser,
  type AlertRequest,
  type AlertSource,
  link,
  type NormalizedAlert,
  someValues,
} from '../alert.ts';
import { levelOf } from './levels.ts';
import { parsePayload } from './parse.ts';

const labels = z.record(z.string(), z.string());

export const alertmanagerAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels,
  annotations: labels.default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const alertmanagerPayload = z.object({
  version: z.string().optional(),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().optional(),
  alerts: z.array(alertmanagerAlert).min(1),
});

/** Grafana adds a title, a state and, per alert, the values and dashboard links. */
export const grafanaPayload = alertmanagerPayload.extend({
  orgId: z.number().optional(),
  title: z.string().optional(),
  state: z.string().optional(),
  message: z.string().optional(),
  alerts: z
    .array(
      alertmanagerAlert.extend({
        values: z.record(z.string(), z.number().nullable()).nullish(),
        valueString: z.string().optional(),
        dashboardURL: z.string().optional(),
        panelURL: z.string().optional(),
        silenceURL: z.string().optional(),
      }),
    )
    .min(1),
});

type Payload = z.infer<typeof grafanaPayload>;

const SERVICE_LABELS = ['service', 'job', 'app', 'application', 'component', 'namespace'];

function fromGroup(source: AlertSource, p: Payload, req: AlertRequest): NormalizedAlert {
  const firing = p.alerts.filter((a) => a.status === 'firing');
  const shown = firing.length > 0 ? firing : p.alerts;
  const first = shown[0]!;
  const common = { ...p.commonLabels };
  const all = { ...first.labels, ...common };
  const name = all.alertname ?? p.groupLabels.alertname ?? 'Alert';
  const summary =
    p.commonAnnotations.summary ??
    first.annotations.summary ??
    p.commonAnnotations.description ??
    first.annotations.description ??
    p.message ??
    null;
  const service = SERVICE_LABELS.map((k) => all[k]).find(Boolean) ?? null;
  const values = shown.map((a) => {
    const grafana = a as Payload['alerts'][number];
    if (grafana.valueString) return grafana.valueString;
    if (grafana.values) {
      return Object.entries(grafana.values)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
    }
    const distinct = Object.entries(a.labels)
      .filter(([k]) => !(k in common))
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    return a.annotations.value ?? (distinct || a.annotations.summary || '');
  });
  const g = first as Payload['alerts'][number];
  return {
    source,
    dedupKey: p.groupKey,
    status: p.status,
    title: p.title && source === 'grafana' ? p.title : `${name}${service ? ` on ${service}` : ''}`,
    service,
    summary,
    level: levelOf(all.severity, all.priority, all.level),
    state: null,
    severity: null,
    labels: all,
    values: someValues(values),
    links: [
      ...link('Source', first.generatorURL),
      ...link('Dashboard', g.dashboardURL),
      ...link('Panel', g.panelURL),
      ...link('Silence', g.silenceURL),
      ...link(source === 'grafana' ? 'Grafana' : 'Alertmanager', p.externalURL),
      ...link('Runbook', first.annotations.runbook_url ?? p.commonAnnotations.runbook_url),
    ],
    count: p.alerts.length + (p.truncatedAlerts ?? 0),
    startedAt: first.startsAt ?? null,
    deliveryId: req.headers['x-request-id'] ?? null,
  };
}

export const alertmanager: AlertParser = (req) => [
  fromGroup('alertmanager', parsePayload('Alertmanager', alertmanagerPayload, req.body), req),
];

export const grafana: AlertParser = (req) => [
  fromGroup('grafana', parsePayload('Grafana', grafanaPayload, req.body), req),
];
