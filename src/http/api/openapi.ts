// The OpenAPI 3.1 document of the API, generated from the operations table and its zod schemas
// with zod's own JSON Schema generator (OpenAPI 3.1 schemas are JSON Schema 2020-12). Schemas
// named with `.meta({ id })` become components; everything else is inlined.
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhook-events.ts';
import { alertPath } from './alerts-openapi.ts';
import { OPERATIONS } from './operations.ts';
import { errorSchema, webhookPayloadSchema } from './schemas.ts';

export const API_BASE = '/api/v1';

/** The largest JSON body the API reads. */
export const API_MAX_BODY_BYTES = 1024 * 1024;

type Json = Record<string, unknown>;

/** Errors every authenticated operation may answer, besides its own. */
const COMMON_ERRORS: Record<number, string> = {
  400: 'Bad input (the message names the field); nothing changed',
  401: 'Missing, unknown or revoked token',
  403: 'The caller may not do this (not an owner, not an admin, an alerts token)',
  404: 'No such run, step or path',
  409: 'The state does not allow it now (e.g. the step was already completed); or the same Idempotency-Key is still being handled, or was acted on but its answer was lost when the bot stopped',
  422: 'The Idempotency-Key was used with another request',
  429: 'Over the rate limit of the token: wait as long as Retry-After says',
};

/** Errors of an operation that takes a body. */
const BODY_ERRORS: Record<number, string> = {
  413: `The body is over ${API_MAX_BODY_BYTES} bytes; nothing changed`,
};

/** A JSON Schema of `schema`, its named parts moved to `components` (input or output side). */
function schemaOf(schema: z.ZodType, io: 'input' | 'output', components: Json): Json {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  const defs = (json.$defs ?? {}) as Record<string, Json>;
  delete json.$defs;
  delete json.$schema;
  const relink = (v: unknown): unknown =>
    JSON.parse(JSON.stringify(v).replaceAll('"#/$defs/', '"#/components/schemas/'));
  for (const [id, def] of Object.entries(defs)) components[id] = relink(def);
  return relink(json) as Json;
}

export function buildOpenApiDocument(): Json {
  const components: Json = {};
  const paths: Record<string, Record<string, Json>> = {};
  const errorRef = schemaOf(errorSchema, 'output', components);
  for (const op of OPERATIONS) {
    const parameters = op.params
      ? Object.entries(op.params.shape).map(([name, s]) => ({
          name,
          in: 'path',
          required: true,
          schema: schemaOf(s as z.ZodType, 'input', components),
        }))
      : [];
    for (const [name, s] of Object.entries(op.query?.shape ?? {}))
      parameters.push({
        name,
        in: 'query',
        required: !(s as z.ZodType).safeParse(undefined).success,
        ...((s as z.ZodType).description ? { description: (s as z.ZodType).description } : {}),
        schema: schemaOf(s as z.ZodType, 'input', components),
      });
    if (op.method === 'POST')
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Acts once per key and token: a repeat gets the first answer again, marked `idempotent-replayed: true`',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
        // biome-ignore lint/suspicious/noExplicitAny: an OpenAPI parameter object
      } as any);
    const responses: Record<string, Json> = {};
    for (const [status, r] of Object.entries(op.responses))
      responses[status] = {
        description: r.description,
        ...(r.schema
          ? { content: { 'application/json': { schema: schemaOf(r.schema, 'output', components) } } }
          : {}),
      };
    const errors = op.method === 'POST' ? { ...COMMON_ERRORS, ...BODY_ERRORS } : COMMON_ERRORS;
    for (const [status, description] of Object.entries(errors))
      responses[status] ??= {
        description,
        content: { 'application/json': { schema: errorRef } },
        ...(status === '429'
          ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } } }
          : {}),
      };
    paths[op.path] ??= {};
    paths[op.path]![op.method.toLowerCase()] = {
      operationId: op.operationId,
      summary: op.summary,
      security: [{ bearer: [] }],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaOf(op.body, 'input', components) } },
            },
          }
        : {}),
      responses,
    };
  }
  paths['/alerts/{source}'] = alertPath(schemaOf, components, errorRef);
  paths['/openapi.json'] = {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      security: [],
      responses: { 200: { description: 'The OpenAPI 3.1 document', content: { 'application/json': {} } } },
    },
  };
  const payload = schemaOf(webhookPayloadSchema, 'output', components);
  return {
    openapi: '3.1.0',
    info: {
      title: 'ProjectLead API',
      version: '1',
      description:
        'Agents and tools hold roles in ProjectLead runs: read the steps waiting on them with their context, act on them as in Slack, start requests. A token acts as its Slack user, with the same permission checks; every action shows in the run thread and the events log with the token name.',
    },
    servers: [{ url: API_BASE }],
    paths,
    webhooks: Object.fromEntries(
      WEBHOOK_EVENT_TYPES.map((type) => [
        type,
        {
          post: {
            summary: `${type}, signed as Standard Webhooks specify (webhook-id, webhook-timestamp, webhook-signature)`,
            requestBody: { content: { 'application/json': { schema: payload } } },
            responses: { 200: { description: 'Taken (any 2xx); anything else is retried' } },
          },
        },
      ]),
    ),
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A token from `projectlead tokens create`' },
      },
    },
  };
}
