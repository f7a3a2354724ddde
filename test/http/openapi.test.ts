// The OpenAPI document stays true: it lists every operation the API serves and nothing else,
// and what the running API answers validates against the document's own schemas (checked with
// Ajv, a JSON Schema 2020-12 validator, not with the zod schemas it was generated from).
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/http/api/openapi.ts';
import { OPERATIONS } from '../../src/http/api/operations.ts';
import { fixture } from '../alerts/fixtures.ts';
import { type ApiReply, api, tokensFor } from '../support/api-client.ts';
import { CHANNEL, type Harness, startHarness, userFor } from '../support/app-harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: the document is walked by key in these tests
type Json = Record<string, any>;

const doc = buildOpenApiDocument() as Json;
const ajv = new Ajv2020({ strict: false, allErrors: true });

/** The document's schema for an operation's answer of that status. */
function responseSchema(method: string, path: string, status: number): Json {
  const responses = doc.paths[path]?.[method.toLowerCase()]?.responses;
  expect(responses, `${method} ${path} in the document`).toBeDefined();
  const schema = responses[String(status)]?.content?.['application/json']?.schema;
  expect(schema, `${method} ${path} documents a ${status} answer`).toBeDefined();
  return schema;
}

/** Validate an answer against the document; the document's components resolve `$ref`s. */
function expectDocumented(method: string, path: string, reply: ApiReply) {
  const schema = responseSchema(method, path, reply.status);
  const validate = ajv.compile({ ...schema, components: doc.components });
  const ok = validate(reply.json);
  expect(ok, `${method} ${path} ${reply.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists exactly the operations served', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths as Record<string, Json>)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((x) => x !== 'GET /openapi.json' && x !== 'POST /alerts/{source}')
      .sort();
    expect(documented).toEqual(OPERATIONS.map((o) => `${o.method} ${o.path}`).sort());
    const ids = OPERATIONS.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("carries the facts' JSON Schema with their valid values, and the webhooks", () => {
    const facts = doc.components.schemas.Facts;
    expect(facts.properties.release_type.anyOf ?? [facts.properties.release_type]).toEqual(
      expect.arrayContaining([expect.objectContaining({ enum: expect.arrayContaining(['major', 'minor']) })]),
    );
    expect(Object.keys(doc.webhooks).sort()).toEqual(
      [
        'run.blocked',
        'run.closed',
        'step.assigned',
        'step.completed',
        'step.escalated',
        'step.reminded',
      ].sort(),
    );
    ajv.compile({ ...doc.components.schemas.StepContext, components: doc.components });
  });
});

describe('the running API against its document', () => {
  let h: Harness;
  let t: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness();
    t = await tokensFor(h, { atlas: userFor('Atlas'), req: 'UREQ', scribe: userFor('Scribe') });
  });
  afterAll(() => h.close());

  it('serves the document at /api/v1/openapi.json without a token', async () => {
    const res = await api(h, null, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json).toEqual(doc);
  });

  it('answers every operation, and its errors, in the documented shapes', async () => {
    const started = await api(h, t.UREQ!, 'POST', '/requests', {
      text: 'Ship release v9 with the audit log',
      chain: 'release',
      channel: CHANNEL,
    });
    expectDocumented('POST', '/requests', started);
    const runId = started.json.run.id;
    const asked = await api(h, t.UREQ!, 'POST', '/requests', {
      text: 'we should look into the thing with the app',
      channel: CHANNEL,
    });
    if (asked.status === 200 || asked.status === 201) expectDocumented('POST', '/requests', asked);
    expectDocumented('GET', '/me/steps', await api(h, t[userFor('Atlas')]!, 'GET', '/me/steps'));
    expectDocumented('GET', '/runs', await api(h, t.UREQ!, 'GET', '/runs'));
    expectDocumented('GET', '/runs/{id}', await api(h, t.UREQ!, 'GET', `/runs/${runId}`));
    expectDocumented(
      'POST',
      '/classify',
      await api(h, t.UREQ!, 'POST', '/classify', { text: 'checkout is down for everyone' }),
    );
    const step = '/runs/{id}/steps/{key}/{verb}';
    const path = `/runs/${runId}/steps/release_decision`;
    expectDocumented('POST', step, await api(h, t[userFor('Atlas')]!, 'POST', `${path}/ack`, {}));
    expectDocumented(
      'POST',
      step,
      await api(h, t[userFor('Atlas')]!, 'POST', `${path}/block`, { reason: 'waiting on legal' }),
    );
    expectDocumented('POST', step, await api(h, t[userFor('Atlas')]!, 'POST', `${path}/unblock`, {}));
    expectDocumented(
      'POST',
      step,
      await api(h, t[userFor('Atlas')]!, 'POST', `${path}/complete`, { facts: { release_type: 'minor' } }),
    );
    // Errors: 400, 401, 403, 404, 409, 422.
    const errors = [
      await api(h, t[userFor('Atlas')]!, 'POST', `${path}/complete`, { facts: { release_type: 'huge' } }),
      await api(h, null, 'GET', '/me/steps'),
      await api(h, t[userFor('Scribe')]!, 'POST', `/runs/${runId}/steps/code_freeze/skip`, { reason: 'no' }),
      await api(h, t.UREQ!, 'GET', '/runs/REL-404'),
      await api(h, t[userFor('Atlas')]!, 'POST', `${path}/complete`, {}),
    ];
    expect(errors.map((e) => e.status)).toEqual([400, 401, 403, 404, 409]);
    const where: Record<number, [string, string]> = {
      400: ['POST', step],
      401: ['GET', '/me/steps'],
      403: ['POST', step],
      404: ['GET', '/runs/{id}'],
      409: ['POST', step],
    };
    for (const e of errors) expectDocumented(...where[e.status]!, e);
  });
});

describe('the alert intake in the OpenAPI document', () => {
  it("documents POST /alerts/{source} with each tool's payload, and its answers validate", async () => {
    const op = doc.paths['/alerts/{source}'].post;
    expect(op.parameters[0].schema.enum).toEqual([
      'alertmanager',
      'grafana',
      'datadog',
      'pagerduty',
      'sentry',
      'generic',
    ]);
    const h = await startHarness({ env: { INCIDENT_CHANNEL: 'CINCIDENTS' } });
    try {
      const { token } = await h.core.tokens.create('monitoring', { kind: 'alerts' });
      const body = fixture('alertmanager-firing');
      const requestSchema = ajv.compile({
        ...op.requestBody.content['application/json'].schema,
        components: doc.components,
      });
      expect(requestSchema(body), ajv.errorsText(requestSchema.errors)).toBe(true);
      expectDocumented('POST', '/alerts/{source}', await api(h, token, 'POST', '/alerts/alertmanager', body));
      expectDocumented(
        'POST',
        '/alerts/{source}',
        await api(h, token, 'POST', '/alerts/alertmanager', { nope: 1 }),
      );
      expectDocumented('POST', '/alerts/{source}', await api(h, null, 'POST', '/alerts/alertmanager', body));
    } finally {
      await h.close();
    }
  });
});
