// Datadog's webhook integration: the payload is a template the user writes with Datadog's
// variables. The README gives the template to paste; these are its fields. `cycle_key`
// ($ALERT_CYCLE_KEY) ties a trigger to its recovery, so it is the problem's key.
import { z } from 'zod';
import { AlertFormatError, type AlertParser, link, someValues } from '../alert.ts';
import { levelOf } from './levels.ts';
import { parsePayload } from './parse.ts';

/** The template's fields (README, "Alerts"): Datadog fills each `$VARIABLE`. */
export const DATADOG_TEMPLATE = {
  id: '$ID',
  alert_id: '$ALERT_ID',
  cycle_key: '$ALERT_CYCLE_KEY',
  transition: '$ALERT_TRANSITION',
  priority: '$ALERT_PRIORITY',
  alert_type: '$ALERT_TYPE',
  title: '$EVENT_TITLE',
  message: '$EVENT_MSG',
  status: '$ALERT_STATUS',
  metric: '$ALERT_METRIC',
  scope: '$ALERT_SCOPE',
  tags: '$TAGS',
  hostname: '$HOSTNAME',
  link: '$LINK',
  date: '$DATE_POSIX',
  aggreg_key: '$AGGREG_KEY',
} as const;

const text = z.string().max(20_000);

export const datadogPayload = z.object({
  id: z.union([text, z.number()]).optional(),
  alert_id: z.union([text, z.number()]).optional(),
  cycle_key: z.union([text, z.number()]).optional(),
  aggreg_key: text.optional(),
  transition: text.min(1, 'the $ALERT_TRANSITION field is required'),
  priority: text.optional(),
  alert_type: text.optional(),
  title: text.min(1),
  message: text.optional(),
  status: text.optional(),
  metric: text.optional(),
  scope: text.optional(),
  tags: z.union([text, z.array(text)]).optional(),
  hostname: text.optional(),
  link: text.optional(),
  date: z.union([text, z.number()]).optional(),
});

/** `env:prod, service:checkout` → { env: 'prod', service: 'checkout' }. */
function tagsOf(tags: string | string[] | undefined): Record<string, string> {
  const list = Array.isArray(tags) ? tags : (tags ?? '').split(',');
  const out: Record<string, string> = {};
  for (const t of list) {
    const [k, ...v] = t.trim().split(':');
    if (k) out[k] = v.join(':');
  }
  return out;
}

/** Datadog's transitions that mean the problem is over. */
const RECOVERED = new Set(['recovered', 'recovery', 'resolved', 'ok', 'success']);

export const datadog: AlertParser = (req) => {
  const p = parsePayload('Datadog', datadogPayload, req.body);
  const key = p.cycle_key ?? p.aggreg_key ?? p.alert_id;
  if (key === undefined || key === '') {
    throw new AlertFormatError(
      'Not a Datadog webhook payload: cycle_key: give $ALERT_CYCLE_KEY (or aggreg_key or alert_id).',
    );
  }
  const labels = tagsOf(p.tags);
  const transition = p.transition.trim().toLowerCase();
  const date = typeof p.date === 'number' ? p.date : Number(p.date);
  return [
    {
      source: 'datadog',
      dedupKey: String(key),
      status: RECOVERED.has(transition) ? 'resolved' : 'firing',
      title: p.title.replace(/^\[(?:triggered|recovered|warn|re-triggered|p\d)[^\]]*\]\s*/i, ''),
      service: labels.service ?? p.hostname ?? null,
      summary: p.status ?? p.message ?? null,
      level: levelOf(transition === 'warn' ? 'warning' : null, p.alert_type, p.priority, labels.severity),
      state: null,
      severity: null,
      labels: { ...labels, ...(p.priority ? { priority: p.priority } : {}) },
      values: someValues([
        p.status ?? '',
        p.metric ? `metric ${p.metric}` : '',
        p.scope ? `scope ${p.scope}` : '',
      ]),
      links: link('Datadog', p.link),
      count: 1,
      startedAt: Number.isFinite(date) && date > 0 ? new Date(date * 1000).toISOString() : null,
      deliveryId: p.id !== undefined ? String(p.id) : null,
    },
  ];
};
