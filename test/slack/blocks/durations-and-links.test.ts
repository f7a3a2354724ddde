// Pure builders: a DM of a run links to the run's thread (a mention's thread too), a thread
// reply does not; durations under a minute show in seconds wherever a duration is shown.
import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../src/domain/notices.ts';
import { humanDuration } from '../../../src/services/clocks/business-time.ts';
import { createMetricsService } from '../../../src/services/metrics/metrics.ts';
import { metricsText } from '../../../src/services/reports/report-text.ts';
import { buildMetricsMessage } from '../../../src/slack/blocks/index.ts';
import { formatDuration } from '../../../src/slack/blocks/kit.ts';
import { renderNotice } from '../../../src/slack/render.ts';
import { createTestEngine, userFor } from '../../support/engine.ts';
import { visibleText } from '../../support/fake-slack.ts';
import { startedRun } from './fixtures.ts';

const BASE = 'https://acme.slack.com/';
const shown = (m: { text: string; blocks: unknown[] }) =>
  visibleText({ text: m.text, blocks: m.blocks as never });

describe('direct messages link to the run thread', () => {
  const notify: Notice = {
    type: 'notify',
    runId: 'INC-3',
    mentions: [{ role: 'Atlas', principals: ['UATLAS'] }],
    reason: 'SEV1: Service down',
    direct: true,
  };

  /** The notify DM of a SEV1 incident posted at `thread` (its root message at `root`). */
  const dmOf = (thread: { threadTs: string; rootTs: string; source?: 'mention' }) => {
    const { run } = startedRun({ chain: 'incident', severity: 'sev1' });
    const posted = { ...run, channelId: 'CINC', ...thread };
    const dm = renderNotice(notify, {
      run: posted,
      delivery: { kind: 'dm', userId: 'UATLAS' },
      permalinkBase: BASE,
    });
    const reply = renderNotice(notify, { run: posted, delivery: { kind: 'thread' }, permalinkBase: BASE });
    return { dm: shown(dm), reply: shown(reply) };
  };

  it('when a DM of a run whose root is a channel message is rendered, then it links to the root message, and the thread reply does not', () => {
    const { dm, reply } = dmOf({ threadTs: '1700000000.000100', rootTs: '1700000000.000100' });
    expect(dm).toContain('<https://acme.slack.com/archives/CINC/p1700000000000100|Open the thread of INC-3>');
    expect(reply).not.toContain('Open the thread');
  });

  it("when the run lives in a mention's thread, then the link opens the bot's root reply in that thread", () => {
    const { dm } = dmOf({ threadTs: '1700000000.000100', rootTs: '1700000000.000200', source: 'mention' });
    expect(dm).toContain(
      '<https://acme.slack.com/archives/CINC/p1700000000000200?thread_ts=1700000000.000100&cid=CINC|Open the thread of INC-3>',
    );
  });
});

describe('durations under a minute', () => {
  it.each([
    [0, '0s'],
    [999, '1s'],
    [42_000, '42s'],
    [59_400, '59s'],
    [60_000, '1m'],
    [3 * 3_600_000 + 20 * 60_000, '3h 20m'],
    [-42_000, '-42s'],
  ])('%d ms shows as %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
    if (ms >= 0) expect(formatDuration(ms)).toBe(text);
  });

  it('when runs take under a minute, then the metrics show the average in seconds', async () => {
    const e = await createTestEngine();
    const { run } = await e.runs.startRun({
      chain: 'bug',
      title: 'Typo',
      text: 'Typo on the home page',
      requester: 'UREQ',
    });
    e.clock.advance(42_000);
    let r = run;
    while (r.status === 'active') {
      const step = r.steps.find((s) => s.status === 'active')!;
      for (const role of [...step.owners, ...step.approvers])
        r = await e.runs.completeStep(r.id, await e.as(role === 'Requester' ? 'UREQ' : userFor(role)), {
          output: 'ok',
        });
    }
    const report = await createMetricsService({ store: e.store, playbooks: e.playbooks }).getMetrics({
      from: null,
      to: null,
    });
    expect(metricsText(report)).toMatch(/\*\*Bug Fix\*\*: 1 closed, avg 42s/);
    expect(shown(buildMetricsMessage(report))).toMatch(/\*Bug Fix\*: 1 closed, avg 42s/);
    await e.close();
  });
});
