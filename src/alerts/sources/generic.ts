// The generic source, for any tool that can POST JSON (documented in the README, "Alerts"):
// `{title, status, dedup_key, description?, service?, level?, severity?, state?, source_url?,
// values?, metadata?}`. The same `dedup_key` again is the same problem.
import { z } from 'zod';
import { ALERT_LEVELS, ALERT_STATES } from '../../../routing/alert-severity.ts';
import { INCIDENT_SEVERITIES } from '../../../routing/vocabulary.ts';
import { type AlertParser, link, someValues } from '../alert.ts';
import { parsePayload } from './parse.ts';

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export const genericPayload = z.strictObject({
  title: z.string().min(1).max(500),
  status: z.enum(['firing', 'resolved']),
  dedup_key: z.string().min(1).max(500),
  description: z.string().max(10_000).optional(),
  service: z.string().max(200).optional(),
  level: z.enum(ALERT_LEVELS).optional(),
  severity: z.enum(INCIDENT_SEVERITIES).optional(),
  state: z.enum(ALERT_STATES).optional(),
  source_url: z.url().optional(),
  values: z.record(z.string(), scalar).optional(),
  metadata: z.record(z.string(), scalar).optional(),
  id: z.string().max(200).optional(),
});

export const generic: AlertParser = (req) => {
  const p = parsePayload('generic alert', genericPayload, req.body);
  return [
    {
      source: 'generic',
      dedupKey: p.dedup_key,
      status: p.status,
      title: p.title,
      service: p.service ?? null,
      summary: p.description ?? null,
      level: p.level ?? null,
      state: p.state ?? null,
      severity: p.severity ?? null,
      labels: p.metadata ?? {},
      values: someValues(Object.entries(p.values ?? {}).map(([k, v]) => `${k}=${v}`)),
      links: link('Source', p.source_url),
      count: 1,
      startedAt: null,
      deliveryId: p.id ?? null,
    },
  ];
};
