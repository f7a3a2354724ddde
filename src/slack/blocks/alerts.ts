// Messages about a monitoring alert in its incident's thread (opened, fired again, resolved),
// and the lines the root message shows for it. Pure.
import type { KnownBlock } from '@slack/types';
import { alertOf, type RunAlert } from '../../domain/alert-context.ts';
import type { Run } from '../../domain/types.ts';
import { ACTION, encodeStepRef } from '../ids.ts';
import {
  actions,
  button,
  context,
  fitMessage,
  roleMentions,
  type SlackMessage,
  section,
  userText,
} from './kit.ts';
import { oneLine } from './limits.ts';
import type { NoticeOf } from './notices.ts';

const SOURCE_LABEL: Record<string, string> = {
  alertmanager: 'Alertmanager',
  grafana: 'Grafana',
  datadog: 'Datadog',
  pagerduty: 'PagerDuty',
  sentry: 'Sentry',
  generic: 'monitoring',
};

export const sourceLabel = (source: string) => SOURCE_LABEL[source] ?? source;

/** `<url|label>` links, escaped. */
function links(alert: RunAlert): string {
  return alert.links
    .slice(0, 5)
    .map((l) => `<${l.url.replace(/[<>|]/g, encodeURIComponent)}|${userText(l.label, 60)}>`)
    .join(' · ');
}

function values(alert: RunAlert, n = 5): string {
  return alert.values
    .slice(0, n)
    .map((v) => `• ${userText(oneLine(v, 200), 300)}`)
    .join('\n');
}

function counts(alert: RunAlert): string {
  const firing = alert.firing > 1 ? `${alert.firing} alerts firing` : null;
  const received = alert.received > 1 ? `received ${alert.received} times` : null;
  return [firing, received].filter(Boolean).join(', ');
}

/** The lines the root message of an incident opened from an alert shows. */
export function alertRootLines(run: Run): KnownBlock[] {
  const alert = alertOf(run.context);
  if (!alert) return [];
  const state = alert.status === 'resolved' ? 'resolved' : 'firing';
  const head = `*Alert* (${sourceLabel(alert.source)}, ${state}${counts(alert) ? `, ${counts(alert)}` : ''}): ${userText(oneLine(alert.title, 200), 300)}`;
  const blocks: KnownBlock[] = [section([head, values(alert)].filter(Boolean).join('\n'))];
  const extra = [
    `Proposed ${alert.proposedSeverity.toUpperCase()}: ${userText(alert.because, 200)}`,
    alert.previousRunId ? `Fired again after ${alert.previousRunId} closed` : null,
    links(alert) || null,
  ].filter((l): l is string => l !== null);
  blocks.push(context(...extra));
  return blocks;
}

export function buildAlertMessage(n: NoticeOf<'alert'>, run?: Run | null): SlackMessage {
  const a = n.alert;
  const from = sourceLabel(a.source);
  const what = userText(oneLine(a.title, 200), 300);
  const id = run?.id ?? n.runId;
  if (n.event === 'opened') {
    const head = `🚨 Opened from a ${from} alert: *${what}*${a.service ? ` (service ${userText(a.service, 100)})` : ''}.\nProposed *${a.proposedSeverity.toUpperCase()}*: ${userText(a.because, 200)}. @OpsCommander confirms it at Assess Severity.`;
    const blocks: KnownBlock[] = [section(head)];
    if (a.values.length > 0) blocks.push(section(values(a)));
    const tail = [
      a.previousRunId ? `This problem opened ${a.previousRunId} before, closed since.` : null,
      links(a) || null,
    ];
    if (tail.some(Boolean)) blocks.push(context(...tail.filter((t): t is string => t !== null)));
    return fitMessage({ text: `${id}: opened from a ${from} alert: ${oneLine(a.title, 150)}`, blocks });
  }
  if (n.event === 'repeated') {
    const blocks: KnownBlock[] = [section(`🔁 The ${from} alert fired again (${counts(a) || 'again'}).`)];
    if (a.values.length > 0) blocks.push(section(values(a, 3)));
    return fitMessage({ text: `${id}: the alert fired again (${counts(a)})`, blocks });
  }
  const blocks: KnownBlock[] = [
    section(
      `✅ The ${from} alert *resolved*: ${what}. The incident stays open: its steps and the post-mortem are still owed.`,
    ),
  ];
  if (n.mitigate) {
    blocks.push(
      section(
        `${roleMentions(n.mitigate.mentions)}: if the service is restored, mark *${userText(n.mitigate.stepTitle, 150)}* done.`,
      ),
      ...actions([
        button(
          `${oneLine(n.mitigate.stepTitle, 40)} done`,
          ACTION.stepDone,
          encodeStepRef(n.runId, n.mitigate.stepKey),
          'primary',
        ),
      ]),
    );
  }
  return fitMessage({ text: `${id}: the alert resolved: ${oneLine(a.title, 150)}`, blocks });
}
