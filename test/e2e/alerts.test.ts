// Alerts through the HTTP API, as each monitoring tool posts them: an alerts token, the tool's
// own payload, its signature when its secret is set; the incident opened in INCIDENT_CHANNEL
// with Detect recorded, one run for repeats and a storm, resolved said in the thread.
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertSource } from '../../src/alerts/alert.ts';
import { signPagerDuty, signSentry } from '../../src/alerts/signatures.ts';
import { fixture, SOURCES } from '../alerts/fixtures.ts';
import { type Harness, startHarness, threadOf, until } from '../support/app-harness.ts';

const INCIDENTS = 'CINCIDENTS';
let h: Harness;
afterEach(() => h?.close());

async function start(env: Record<string, string> = {}) {
  h = await startHarness({ env: { INCIDENT_CHANNEL: INCIDENTS, ...env } });
  const { token } = await h.core.tokens.create('monitoring', { kind: 'alerts' });
  return token;
}

async function post(
  source: string,
  body: unknown,
  token: string | null,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  json: { accepted?: { run_id: string; action: string }[]; error?: { code: string; message: string } };
}> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`http://127.0.0.1:${h.app.port}/api/v1/alerts/${source}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: raw,
  });
  return { status: res.status, json: (await res.json()) as never };
}

const rootIn = (runId: string) =>
  until(
    async () => h.fake.messages(INCIDENTS).find((m) => !m.thread_ts && m.text?.includes(runId)),
    `the root message of ${runId}`,
  );

describe('alerts over HTTP', () => {
  it.each(
    Object.keys(SOURCES) as AlertSource[],
  )('%s: 202, an incident posted with Detect recorded; resolved said in its thread', async (source) => {
    const token = await start();
    const fired = await post(source, fixture(SOURCES[source].firing), token, SOURCES[source].headers);
    expect(fired.status).toBe(202);
    const runId = fired.json.accepted![0]!.run_id;
    const root = await rootIn(runId);
    const run = (await h.core.store.read.runs.get(runId))!;
    expect(run.steps.find((s) => s.key === 'detect')!.status).toBe('done');
    expect(root.blocks && JSON.stringify(root.blocks)).toContain('Alert');
    const resolved = await post(source, fixture(SOURCES[source].resolved), token, SOURCES[source].headers);
    expect(resolved.json.accepted![0]).toMatchObject({ action: 'resolved', run_id: runId });
    const withRoot = { ...run, rootTs: root.ts, threadTs: root.ts };
    await until(
      async () => threadOf(h, withRoot).find((m) => m.text?.includes('resolved')),
      'the resolved line',
    );
    expect((await h.core.store.read.runs.get(runId))!.status).toBe('active');
  });

  it('makes one run of 100 alerts of one group posted at once', async () => {
    const token = await start();
    const body = fixture('alertmanager-firing');
    const answers = await Promise.all(Array.from({ length: 100 }, () => post('alertmanager', body, token)));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const runs = new Set(answers.map((a) => a.json.accepted![0]!.run_id));
    expect(runs.size).toBe(1);
    const run = (await h.core.store.read.runs.get([...runs][0]!))!;
    expect(run.context.alert).toMatchObject({ received: 100 });
    expect((await h.core.store.read.runs.list({ chain: 'incident' })).length).toBe(1);
  });

  it('answers 401, 403, 400, 404 and 503 and opens nothing', async () => {
    const token = await start();
    const body = fixture('alertmanager-firing');
    expect((await post('alertmanager', body, null)).status).toBe(401);
    expect((await post('alertmanager', body, 'pl_not-a-token')).json.error?.code).toBe('unauthorized');
    const { token: user } = await h.core.tokens.create('someone', { kind: 'user', userId: 'UOPSCOMMANDER' });
    expect(await post('alertmanager', body, user)).toMatchObject({
      status: 403,
      json: { error: { code: 'alerts_token_required' } },
    });
    const malformed = await post('alertmanager', { status: 'firing', alerts: [] }, token);
    expect(malformed).toMatchObject({ status: 400, json: { error: { code: 'bad_alert' } } });
    expect(malformed.json.error!.message).toMatch(/groupKey/);
    expect((await post('alertmanager', '{not json', token)).status).toBe(400);
    expect((await post('nagios', body, token)).status).toBe(404);
    expect(await h.core.store.read.runs.list({ chain: 'incident' })).toEqual([]);
    await h.close();
    h = await startHarness();
    const { token: t2 } = await h.core.tokens.create('monitoring', { kind: 'alerts' });
    expect((await post('alertmanager', body, t2)).status).toBe(503);
  });

  it('checks PagerDuty’s and Sentry’s signatures when their secrets are set', async () => {
    const token = await start({
      PAGERDUTY_WEBHOOK_SECRET: 'pd-secret',
      SENTRY_CLIENT_SECRET: 'sentry-secret',
    });
    const pd = fixture('pagerduty-firing') as { event: { occurred_at: string } };
    pd.event.occurred_at = new Date(h.clock.now()).toISOString();
    const pdRaw = JSON.stringify(pd);
    expect(
      (await post('pagerduty', pdRaw, token, { 'x-pagerduty-signature': signPagerDuty('other', pdRaw) }))
        .status,
    ).toBe(401);
    expect((await post('pagerduty', pdRaw, token)).json.error?.code).toBe('bad_signature');
    expect(
      (await post('pagerduty', pdRaw, token, { 'x-pagerduty-signature': signPagerDuty('pd-secret', pdRaw) }))
        .status,
    ).toBe(202);
    const stale = { ...pd, event: { ...pd.event, id: 'OTHER', occurred_at: '2020-01-01T00:00:00Z' } };
    const staleRaw = JSON.stringify(stale);
    expect(
      (
        await post('pagerduty', staleRaw, token, {
          'x-pagerduty-signature': signPagerDuty('pd-secret', staleRaw),
        })
      ).json.error?.message,
    ).toMatch(/stale/);

    const sentry = JSON.stringify(fixture('sentry-metric-firing'));
    const now = String(Math.floor(h.clock.now() / 1000));
    const headers = { 'sentry-hook-resource': 'metric_alert', 'sentry-hook-timestamp': now };
    expect(
      (await post('sentry', sentry, token, { ...headers, 'sentry-hook-signature': signSentry('x', sentry) }))
        .status,
    ).toBe(401);
    expect(
      (
        await post('sentry', sentry, token, {
          ...headers,
          'sentry-hook-timestamp': String(Number(now) - 3600),
          'sentry-hook-signature': signSentry('sentry-secret', sentry),
        })
      ).json.error?.message,
    ).toMatch(/stale/);
    // Sentry cannot set headers: its token may come in the URL.
    const res = await fetch(`http://127.0.0.1:${h.app.port}/api/v1/alerts/sentry?token=${token}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...headers,
        'sentry-hook-signature': signSentry('sentry-secret', sentry),
      },
      body: sentry,
    });
    expect(res.status).toBe(202);
    expect((await h.core.store.read.runs.list({ chain: 'incident' })).length).toBe(2);
  });
});
