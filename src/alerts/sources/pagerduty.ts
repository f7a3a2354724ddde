// PagerDuty's v3 webhooks (`{event: {id, event_type, resource_type, occurred_at, data}}`): an
// incident triggered (or reopened) opens ours, resolved resolves it; the incident's id is the
// problem's key and the event's id makes a repeated delivery count once.
import { z } from 'zod';
import { AlertFormatError, type AlertParser, link, someValues } from '../alert.ts';
import { levelOf } from './levels.ts';
import { parsePayload } from './parse.ts';

const ref = z.object({
  id: z.string().optional(),
  summary: z.string().optional(),
  html_url: z.string().optional(),
});

export const pagerdutyPayload = z.object({
  event: z.object({
    id: z.string().min(1),
    event_type: z.string().regex(/^[a-z_]+\.[a-z_.]+$/, 'an event type such as incident.triggered'),
    resource_type: z.string(),
    occurred_at: z.string(),
    agent: ref.nullish(),
    client: z.unknown().optional(),
    data: z.object({
      id: z.string().min(1),
      type: z.string().optional(),
      number: z.number().optional(),
      status: z.string().optional(),
      incident_key: z.string().nullish(),
      title: z.string().optional(),
      html_url: z.string().optional(),
      urgency: z.string().optional(),
      priority: ref.nullish(),
      service: ref.nullish(),
      escalation_policy: ref.nullish(),
      teams: z.array(ref).optional(),
      assignees: z.array(ref).optional(),
    }),
  }),
});

/** The event types this intake acts on; others (annotations, assignments) are taken and ignored. */
const FIRING = new Set([
  'incident.triggered',
  'incident.reopened',
  'incident.escalated',
  'incident.priority_updated',
]);
const RESOLVED = new Set(['incident.resolved']);

export const pagerduty: AlertParser = (req) => {
  const { event } = parsePayload('PagerDuty', pagerdutyPayload, req.body);
  if (event.resource_type !== 'incident') return [];
  const firing = FIRING.has(event.event_type);
  if (!firing && !RESOLVED.has(event.event_type)) return [];
  const d = event.data;
  if (!d.title) throw new AlertFormatError('Not a PagerDuty webhook payload: event.data.title: required.');
  const service = d.service?.summary ?? null;
  const priority = d.priority?.summary ?? null;
  return [
    {
      source: 'pagerduty',
      dedupKey: d.id,
      status: firing ? 'firing' : 'resolved',
      title: d.title,
      service,
      summary: `PagerDuty incident${d.number ? ` #${d.number}` : ''}: ${event.event_type.replace('incident.', '')}`,
      level: levelOf(priority, d.urgency),
      state: null,
      severity: null,
      labels: {
        ...(priority ? { priority } : {}),
        ...(d.urgency ? { urgency: d.urgency } : {}),
        ...(d.incident_key ? { incident_key: d.incident_key } : {}),
      },
      values: someValues([
        d.urgency ? `urgency ${d.urgency}` : '',
        priority ? `priority ${priority}` : '',
        d.escalation_policy?.summary ? `escalation policy ${d.escalation_policy.summary}` : '',
      ]),
      links: [...link('PagerDuty incident', d.html_url), ...link('Service', d.service?.html_url)],
      count: 1,
      startedAt: event.occurred_at,
      deliveryId: event.id,
    },
  ];
};
