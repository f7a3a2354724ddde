// Sentry's integration-platform webhooks, told apart by the `Sentry-Hook-Resource` header:
// `event_alert` (an issue alert rule fired), `metric_alert` (critical, warning, resolved) and
// `issue` (created, resolved, unresolved, ignored). Issue alerts only trigger, so an issue's
// `resolved` (same issue id) resolves what its alert opened.
import { z } from 'zod';
import { AlertFormatError, type AlertParser, link, type NormalizedAlert, someValues } from '../alert.ts';
import { levelOf } from './levels.ts';
import { parsePayload } from './parse.ts';

const project = z.union([
  z.string(),
  z.number(),
  z.object({ slug: z.string().optional(), name: z.string().optional() }),
]);

export const sentryEventAlert = z.object({
  action: z.literal('triggered'),
  data: z.object({
    event: z.object({
      event_id: z.string().optional(),
      issue_id: z.union([z.string(), z.number()]),
      title: z.string(),
      level: z.string().optional(),
      culprit: z.string().optional(),
      web_url: z.string().optional(),
      url: z.string().optional(),
      project: project.optional(),
      tags: z.array(z.tuple([z.string(), z.string()])).optional(),
    }),
    triggered_rule: z.string().optional(),
  }),
});

export const sentryMetricAlert = z.object({
  action: z.enum(['critical', 'warning', 'resolved']),
  data: z.object({
    metric_alert: z.object({
      id: z.union([z.string(), z.number()]),
      identifier: z.union([z.string(), z.number()]).optional(),
      title: z.string().optional(),
      alert_rule: z.object({ name: z.string().optional(), aggregate: z.string().optional() }).passthrough(),
    }),
    description_text: z.string().optional(),
    description_title: z.string().optional(),
    web_url: z.string().optional(),
  }),
});

export const sentryIssue = z.object({
  action: z.string(),
  data: z.object({
    issue: z.object({
      id: z.union([z.string(), z.number()]),
      shortId: z.string().optional(),
      title: z.string(),
      level: z.string().optional(),
      culprit: z.string().optional(),
      status: z.string().optional(),
      web_url: z.string().optional(),
      permalink: z.string().nullish(),
      project: project.optional(),
    }),
  }),
});

const projectName = (p: z.infer<typeof project> | undefined) =>
  p === undefined ? null : typeof p === 'object' ? (p.slug ?? p.name ?? null) : String(p);

const base = (requestId: string | undefined) => ({
  source: 'sentry' as const,
  state: null,
  severity: null,
  count: 1,
  deliveryId: requestId ?? null,
});

export const sentry: AlertParser = (req) => {
  const resource = req.headers['sentry-hook-resource'];
  const requestId = req.headers['request-id'];
  if (resource === 'event_alert') {
    const { data } = parsePayload('Sentry event_alert', sentryEventAlert, req.body);
    const e = data.event;
    const tags = Object.fromEntries(e.tags ?? []);
    const service = projectName(e.project) ?? tags.service ?? null;
    const alert: NormalizedAlert = {
      ...base(requestId),
      dedupKey: `issue:${e.issue_id}`,
      status: 'firing',
      title: e.title,
      service,
      summary:
        [data.triggered_rule ? `Rule "${data.triggered_rule}"` : null, e.culprit]
          .filter(Boolean)
          .join(': ') || null,
      level: levelOf(e.level, tags.level),
      labels: tags,
      values: someValues([e.level ? `level ${e.level}` : '', e.culprit ?? '']),
      links: link('Sentry event', e.web_url ?? e.url),
      startedAt: null,
    };
    return [alert];
  }
  if (resource === 'metric_alert') {
    const p = parsePayload('Sentry metric_alert', sentryMetricAlert, req.body);
    const m = p.data.metric_alert;
    return [
      {
        ...base(requestId),
        dedupKey: `metric:${m.id}`,
        status: p.action === 'resolved' ? 'resolved' : 'firing',
        title: (p.data.description_title ?? m.title ?? m.alert_rule.name ?? 'Sentry metric alert').replace(
          /^(?:critical|warning|resolved):\s*/i,
          '',
        ),
        service: null,
        summary: p.data.description_text ?? null,
        level: p.action === 'resolved' ? null : p.action,
        labels: { action: p.action },
        values: someValues((p.data.description_text ?? '').split('\n')),
        links: link('Sentry alert', p.data.web_url),
        startedAt: null,
      },
    ];
  }
  if (resource === 'issue') {
    const p = parsePayload('Sentry issue', sentryIssue, req.body);
    const i = p.data.issue;
    const firing = p.action === 'created' || p.action === 'unresolved';
    const resolved = p.action === 'resolved' || p.action === 'ignored';
    if (!firing && !resolved) return [];
    return [
      {
        ...base(requestId),
        dedupKey: `issue:${i.id}`,
        status: firing ? 'firing' : 'resolved',
        title: i.title,
        service: projectName(i.project),
        summary: i.culprit ?? null,
        level: levelOf(i.level),
        labels: { ...(i.shortId ? { issue: i.shortId } : {}), action: p.action },
        values: someValues([i.level ? `level ${i.level}` : '', i.shortId ?? '']),
        links: link('Sentry issue', i.web_url ?? i.permalink),
        startedAt: null,
      },
    ];
  }
  if (resource === 'installation' || resource === 'comment' || resource === 'error') return [];
  throw new AlertFormatError(
    `Not a Sentry webhook: the Sentry-Hook-Resource header is ${resource ? `"${resource}"` : 'missing'} (expected event_alert, metric_alert or issue).`,
  );
};
