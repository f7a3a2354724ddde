// Alerts open incidents: one run per problem, repeats and storms counted on it, resolved said in
// its thread (Mitigate's owners asked) without closing it, a problem firing after its run closed
// opens a new run naming the old one; everything of a delivery in one transaction.
import { afterEach, describe, expect, it } from 'vitest';
import { loadAlertSeverityMapping } from '../../../routing/alert-severity.ts';
import type { AlertSource } from '../../../src/alerts/alert.ts';
import { ALERT_PARSERS } from '../../../src/alerts/sources/index.ts';
import {
  type AlertService,
  createAlertService,
  RAW_PAYLOAD_CAP,
} from '../../../src/services/alerts/alert-service.ts';
import { fixture, SOURCES } from '../../alerts/fixtures.ts';
import { ADMIN, userFor } from '../../support/engine.ts';
import { type ClockEngine, createClockEngine, MIN } from '../clocks/clock-engine.ts';

const CHANNEL = 'CINCIDENTS';
let e: ClockEngine;
let alerts: AlertService;
afterEach(() => e?.close());

/** Transitions of a run the alert service made through the run machine (`applyIn`). */
let fullTransitions = 0;

async function setup(incidentChannel: string | null = CHANNEL, lineEveryMs?: number) {
  e = await createClockEngine();
  fullTransitions = 0;
  const runs = e.runs;
  alerts = createAlertService({
    store: e.store,
    runs: {
      ...runs,
      applyIn: (...args: Parameters<typeof runs.applyIn>) => {
        fullTransitions++;
        return runs.applyIn(...args);
      },
    },
    clock: e.clock.now,
    incidentChannel,
    severity: loadAlertSeverityMapping(),
    ...(lineEveryMs !== undefined ? { lineEveryMs } : {}),
  });
}

function send(source: AlertSource, body: unknown, headers: Record<string, string> = {}) {
  const parsed = ALERT_PARSERS[source]({ body, headers: { ...SOURCES[source].headers, ...headers } });
  return alerts.ingest({ alerts: parsed, raw: JSON.stringify(body), by: 'prometheus' });
}

const incidents = async () =>
  (await e.store.read.runs.list({ chain: 'incident' })).sort((a, b) => a.seq - b.seq);
const alertNotices = (event: string) =>
  e.notices(['alert']).filter((n) => (n.notice as { event?: string }).event === event);

describe('alert intake', () => {
  it.each(
    Object.keys(SOURCES) as AlertSource[],
  )('%s: a firing alert opens an incident with Detect recorded', async (source) => {
    await setup();
    const [outcome] = await send(source, fixture(SOURCES[source].firing));
    expect(outcome).toMatchObject({ action: 'opened', status: 'firing' });
    const [run] = await incidents();
    expect(run).toMatchObject({ id: outcome!.runId, channelId: CHANNEL, source: 'alert', status: 'active' });
    expect(['sev1', 'sev2', 'sev3']).toContain(run!.severity);
    const detect = run!.steps.find((s) => s.key === 'detect')!;
    expect(detect.status).toBe('done');
    expect(detect.output).toContain(run!.context.alert && (run!.context.alert as { title: string }).title);
    expect(run!.steps.find((s) => s.status === 'active')!.key).toBe('assess_severity');
    // Detect is neither handed off nor announced done: one line says where the incident came from.
    const handoffs = e.notices(['handoff']).map((n) => (n.notice as { stepKey?: string }).stepKey);
    expect(handoffs).toEqual(['assess_severity']);
    expect(alertNotices('opened')).toHaveLength(1);
    const events = await e.events(run!.id, 'alert_received');
    expect(events[0]!.data).toMatchObject({ source, by: 'prometheus', truncated: false });
  });

  it('proposes SEV1 for a critical alert of a service that is down', async () => {
    await setup();
    await send('alertmanager', fixture('alertmanager-firing'));
    const [run] = await incidents();
    expect(run!.severity).toBe('sev1');
    expect(run!.context.alert).toMatchObject({ proposedSeverity: 'sev1', firing: 2, service: 'checkout' });
  });

  it('counts repeats and a storm on one run, with a thread line at most every five minutes', async () => {
    await setup();
    const body = fixture('alertmanager-firing') as { alerts: Record<string, unknown>[] };
    await send('alertmanager', body);
    for (let i = 0; i < 50; i++) await send('alertmanager', body);
    const storm = {
      ...body,
      alerts: Array.from({ length: 100 }, (_, i) => ({ ...body.alerts[0], fingerprint: `f${i}` })),
    };
    await send('alertmanager', storm);
    expect(await incidents()).toHaveLength(1);
    expect(alertNotices('repeated')).toHaveLength(0);
    e.clock.advance(5 * MIN);
    await send('alertmanager', storm);
    const [run] = await incidents();
    expect(run!.context.alert).toMatchObject({ received: 53, firing: 100, status: 'firing' });
    expect(alertNotices('repeated')).toHaveLength(1);
    expect((await e.events(run!.id, 'alert_received')).length).toBe(53);
  });

  it('counts a repeat with no line due without the run machine, leaving the run as a full transition would', async () => {
    const body = fixture('alertmanager-firing') as { alerts: Record<string, unknown>[] };
    const resolved = fixture('alertmanager-resolved');
    const other = { ...body, alerts: [{ ...body.alerts[0], annotations: { summary: 'Other values' } }] };
    /** Fire, repeat twice, resolve, fire again, repeat: the run and its log after each. */
    async function walk(lineEveryMs: number) {
      await setup(CHANNEL, lineEveryMs);
      const states = [];
      for (const payload of [body, body, other, resolved, body, other]) {
        e.clock.advance(1000);
        await send('alertmanager', payload);
        const [run] = await incidents();
        const log = (await e.store.read.events.forRun(run!.id)).map(({ id: _id, ...ev }) => ev);
        states.push({ run, log });
      }
      const transitions = fullTransitions;
      const updates = (await e.store.read.outbox.list()).filter((r) => r.delivery.kind === 'root_update');
      e.close();
      return { states, transitions, updates: updates.length };
    }
    // A line due on every repeat: each one a full transition of the run.
    const full = await walk(0);
    const counted = await walk(5 * MIN);
    expect(counted.states).toEqual(full.states);
    expect(full.transitions).toBe(5);
    // Only the resolve and the first repeat after it (its summary says resolved) go through it.
    expect(counted.transitions).toBe(2);
    // One root update waiting carries them all (the sender has sent none yet).
    expect(counted.updates).toBe(1);
  });

  it('records a resolved alert, asks Mitigate’s owners, and leaves the run open', async () => {
    await setup();
    const [opened] = await send('pagerduty', fixture('pagerduty-firing'));
    let run = (await incidents())[0]!;
    while (run.steps.find((s) => s.status === 'active')!.key !== 'mitigate') {
      const step = run.steps.find((s) => s.status === 'active')!;
      for (const role of step.owners) {
        run = await e.runs.completeStep(run.id, await e.as(userFor(role)), {
          output: 'ok',
          ...(step.key === 'assess_severity' ? { facts: { severity: 'sev2' } } : {}),
        });
      }
    }
    const [resolved] = await send('pagerduty', fixture('pagerduty-resolved'));
    expect(resolved).toMatchObject({ action: 'resolved', runId: opened!.runId });
    run = (await e.store.read.runs.get(run.id))!;
    expect(run.status).toBe('active');
    expect(run.context.alert).toMatchObject({ status: 'resolved' });
    const [notice] = alertNotices('resolved');
    expect(
      (notice!.notice as unknown as { mitigate: { stepKey: string; mentions: { role: string }[] } }).mitigate,
    ).toMatchObject({
      stepKey: 'mitigate',
      mentions: [{ role: 'OpsCommander' }],
    });
    expect(await e.events(run.id, 'alert_resolved')).toHaveLength(1);
  });

  it('opens a new run naming the old one when a problem fires after its run closed', async () => {
    await setup();
    const [first] = await send('generic', fixture('generic-firing'));
    await e.runs.cancelRun(first!.runId!, await e.as(ADMIN), { reason: 'false alarm' });
    const [again] = await send('generic', fixture('generic-firing'));
    expect(again).toMatchObject({ action: 'opened', previousRunId: first!.runId });
    expect(again!.runId).not.toBe(first!.runId);
    const run = (await e.store.read.runs.get(again!.runId!))!;
    expect(run.context.alert).toMatchObject({ previousRunId: first!.runId });
    // A resolved alert with no open run changes nothing.
    await e.runs.cancelRun(again!.runId!, await e.as(ADMIN), { reason: 'x' });
    const [late] = await send('generic', fixture('generic-resolved'));
    expect(late!.action).toBe('ignored');
  });

  it('takes a repeated delivery once, keeps the raw payload capped, and is off without a channel', async () => {
    await setup();
    await send('pagerduty', fixture('pagerduty-firing'));
    const [repeat] = await send('pagerduty', fixture('pagerduty-firing'));
    expect(repeat!.action).toBe('duplicate');
    const [run] = await incidents();
    expect(run!.context.alert).toMatchObject({ received: 1 });

    const big = {
      ...fixture('generic-firing'),
      dedup_key: 'big',
      description: 'x'.repeat(9000),
      metadata: { pad: 'y'.repeat(9000) },
    };
    const [outcome] = await send('generic', big);
    const [event] = await e.events(outcome!.runId!, 'alert_received');
    expect(event!.data).toMatchObject({ truncated: true });
    expect((event!.data.raw as string).length).toBe(RAW_PAYLOAD_CAP);
    e.close();

    await setup(null);
    await expect(send('generic', fixture('generic-firing'))).rejects.toMatchObject({
      code: 'alert_intake_off',
    });
    expect(await incidents()).toHaveLength(0);
  });
});
