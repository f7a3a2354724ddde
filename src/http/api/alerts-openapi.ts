// The alert intake in the OpenAPI document: `POST /alerts/{source}` takes each tool's own
// webhook payload (the schemas the sources are read with), with an alerts token.
import { z } from 'zod';
import { ALERT_SOURCES } from '../../alerts/alert.ts';
import { alertmanagerPayload, grafanaPayload } from '../../alerts/sources/alertmanager.ts';
import { datadogPayload } from '../../alerts/sources/datadog.ts';
import { genericPayload } from '../../alerts/sources/generic.ts';
import { pagerdutyPayload } from '../../alerts/sources/pagerduty.ts';
import { sentryEventAlert, sentryIssue, sentryMetricAlert } from '../../alerts/sources/sentry.ts';

type Json = Record<string, unknown>;
type SchemaOf = (schema: z.ZodType, io: 'input' | 'output', components: Json) => Json;

export const alertAcceptedSchema = z
  .object({
    accepted: z.array(
      z.object({
        dedup_key: z.string(),
        status: z.enum(['firing', 'resolved']),
        action: z.enum(['opened', 'added', 'resolved', 'duplicate', 'ignored']),
        run_id: z.string().nullable(),
        previous_run_id: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'AlertsAccepted' });

const payloads = z
  .union([
    alertmanagerPayload.meta({ id: 'AlertmanagerPayload' }),
    grafanaPayload.meta({ id: 'GrafanaPayload' }),
    datadogPayload.meta({ id: 'DatadogPayload' }),
    pagerdutyPayload.meta({ id: 'PagerDutyPayload' }),
    sentryEventAlert.meta({ id: 'SentryEventAlert' }),
    sentryMetricAlert.meta({ id: 'SentryMetricAlert' }),
    sentryIssue.meta({ id: 'SentryIssue' }),
    genericPayload.meta({ id: 'GenericAlert' }),
  ])
  .meta({ id: 'AlertPayload' });

const ALERT_ERRORS: Record<number, string> = {
  400: "The body is not the source's payload; the message names what is wrong",
  401: 'Missing, unknown or revoked token, or a PagerDuty/Sentry signature that is wrong or stale',
  403: 'The token is not an alerts token',
  404: 'No such source',
  503: 'INCIDENT_CHANNEL is not set',
};

/** The `/alerts/{source}` path item. */
export function alertPath(schemaOf: SchemaOf, components: Json, errorRef: Json): Record<string, Json> {
  return {
    post: {
      operationId: 'postAlert',
      summary:
        "A monitoring tool's own webhook payload: a firing alert opens an Incident Response run (or adds to the one its problem opened); a resolved one is recorded on it",
      security: [{ bearer: [] }],
      parameters: [
        { name: 'source', in: 'path', required: true, schema: { type: 'string', enum: [...ALERT_SOURCES] } },
      ],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: schemaOf(payloads, 'input', components) } },
      },
      responses: {
        202: {
          description: 'Taken: the alert and what it did are stored',
          content: { 'application/json': { schema: schemaOf(alertAcceptedSchema, 'output', components) } },
        },
        ...Object.fromEntries(
          Object.entries(ALERT_ERRORS).map(([status, description]) => [
            status,
            { description, content: { 'application/json': { schema: errorRef } } },
          ]),
        ),
      },
    },
  };
}
