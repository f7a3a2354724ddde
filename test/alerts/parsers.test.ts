// Each source's payload read into alerts: the problem's key, firing or resolved, what fired,
// the level the severity mapping reads, values and links; a body of another shape is refused
// with a message naming what is wrong.
import { describe, expect, it } from 'vitest';
import { loadAlertSeverityMapping, proposeSeverity } from '../../routing/alert-severity.ts';
import { AlertFormatError, type NormalizedAlert } from '../../src/alerts/alert.ts';
import { ALERT_PARSERS } from '../../src/alerts/sources/index.ts';
import { fixture, SOURCES } from './fixtures.ts';

const parse = (source: keyof typeof SOURCES, name: string, headers: Record<string, string> = {}) =>
  ALERT_PARSERS[source]({ body: fixture(name), headers: { ...SOURCES[source].headers, ...headers } });

const mapping = loadAlertSeverityMapping();
const severityOf = (a: NormalizedAlert) =>
  a.severity ??
  proposeSeverity(mapping, {
    level: a.level,
    state: a.state,
    labels: a.labels,
    text: `${a.title}\n${a.summary ?? ''}`,
  }).severity;

describe('alert sources', () => {
  it.each(
    Object.keys(SOURCES) as (keyof typeof SOURCES)[],
  )('%s: firing and resolved share one key', (source) => {
    const [firing] = parse(source, SOURCES[source].firing);
    const [resolved] = parse(source, SOURCES[source].resolved);
    expect(firing!.status).toBe('firing');
    expect(resolved!.status).toBe('resolved');
    expect(resolved!.dedupKey).toBe(firing!.dedupKey);
    expect(firing!.title.length).toBeGreaterThan(0);
    expect(firing!.links.length).toBeGreaterThan(0);
  });

  it('reads an Alertmanager group as one problem with its alerts counted', () => {
    const [a] = parse('alertmanager', 'alertmanager-firing');
    expect(a).toMatchObject({
      source: 'alertmanager',
      title: 'CheckoutDown on checkout',
      service: 'checkout',
      level: 'critical',
      count: 2,
      summary: 'Checkout is down: every probe fails',
    });
    expect(a!.values).toEqual(['probe_success=0 on checkout-1:8080', 'probe_success=0 on checkout-2:8080']);
    expect(a!.links.map((l) => l.label)).toContain('Runbook');
    expect(severityOf(a!)).toBe('sev1');
  });

  it('reads the values and dashboard of a Grafana alert', () => {
    const [a] = parse('grafana', 'grafana-firing');
    expect(a!.values[0]).toContain('value=2.71');
    expect(a!.links.map((l) => l.label)).toEqual(expect.arrayContaining(['Dashboard', 'Panel', 'Silence']));
    expect(a!.service).toBe('payments-api');
    expect(severityOf(a!)).toBe('sev2');
  });

  it('reads Datadog’s template, PagerDuty’s incident and Sentry’s alerts and issues', () => {
    const [dd] = parse('datadog', 'datadog-firing');
    expect(dd).toMatchObject({
      dedupKey: '7301239582123400000',
      service: 'search',
      level: 'error',
      title: 'Search API error rate above 5%',
    });
    expect(dd!.startedAt).toBe(new Date(1793610000 * 1000).toISOString());
    const [pd] = parse('pagerduty', 'pagerduty-firing');
    expect(pd).toMatchObject({
      dedupKey: 'PGR0VU2',
      service: 'Login Service',
      level: 'critical',
      deliveryId: '01DEN4HPBQAAAG05V5QQYBRZMF',
    });
    expect(severityOf(pd!)).toBe('sev1');
    const [event] = parse('sentry', 'sentry-event-alert', { 'sentry-hook-resource': 'event_alert' });
    const [issue] = parse('sentry', 'sentry-issue-resolved', { 'sentry-hook-resource': 'issue' });
    expect(event!.dedupKey).toBe(issue!.dedupKey);
    expect(issue!.status).toBe('resolved');
    expect(severityOf(event!)).toBe('sev2');
  });

  it('takes a severity a label names outright, and warnings as SEV3', () => {
    const body = fixture('alertmanager-firing') as { commonLabels: Record<string, string> };
    body.commonLabels.severity = 'SEV3';
    const [a] = ALERT_PARSERS.alertmanager({ body, headers: {} });
    expect(
      proposeSeverity(mapping, { level: a!.level, state: null, labels: a!.labels, text: a!.title }),
    ).toMatchObject({
      severity: 'sev3',
    });
    expect(
      proposeSeverity(mapping, { level: 'warning', state: null, labels: {}, text: 'disk 80% full' }).severity,
    ).toBe('sev3');
    expect(
      proposeSeverity(mapping, { level: 'critical', state: null, labels: {}, text: 'p99 latency high' })
        .severity,
    ).toBe('sev2');
  });

  it('refuses a body of another shape, naming what is wrong', () => {
    expect(() => ALERT_PARSERS.alertmanager({ body: { status: 'firing' }, headers: {} })).toThrow(
      /Not an Alertmanager webhook payload: groupKey/,
    );
    expect(() => ALERT_PARSERS.pagerduty({ body: fixture('generic-firing'), headers: {} })).toThrow(
      AlertFormatError,
    );
    expect(() => ALERT_PARSERS.sentry({ body: fixture('sentry-metric-firing'), headers: {} })).toThrow(
      /Sentry-Hook-Resource header is missing/,
    );
    expect(() =>
      ALERT_PARSERS.generic({ body: { title: 'x', status: 'on', dedup_key: 'k' }, headers: {} }),
    ).toThrow(/status/);
    expect(() => ALERT_PARSERS.datadog({ body: [], headers: {} })).toThrow(/the body/);
  });
});
