// The sandbox page's Block Kit renderer against every builder of src/slack/blocks/: each
// notice the bot can send (through the render map) and each message, modal and App Home built
// outside it. Nothing may come out as "unsupported", every input is labelled, and a table of
// builders that misses a new builder fails.
import { describe, expect, it } from 'vitest';
import { classify } from '../../routing/classifier/index.ts';
import { renderBlocks } from '../../src/sandbox/page/blockkit.js';
import * as clocks from '../../src/slack/blocks/clocks/index.ts';
import * as blocks from '../../src/slack/blocks/index.ts';
import { renderNotice } from '../../src/slack/render.ts';
import { METRICS, NOTICES, playbook, startedRun } from '../slack/blocks/fixtures.ts';
import { emptyDigestNotice } from '../support/digest-notice.ts';

const T = Date.UTC(2026, 10, 2, 9, 0);
const { run: feature } = startedRun();
const { run: incident } = startedRun({ chain: 'incident', severity: 'sev2' });
const step = feature.steps[1]!;
const blockedStep = {
  ...feature.steps[6]!,
  status: 'blocked' as const,
  blockReason: 'No DPIA yet',
  blockedBy: 'UPRIVACY',
  blockedByRole: 'Privacy',
};
const digest = emptyDigestNotice('Daily digest', T).data;

/** The notice builders: each reached through renderNotice with a notice of its type (NOTICES has one of every type). */
const THROUGH_RENDER_MAP = new Set([
  'buildHandoffMessage',
  'buildNotifyMessage',
  'buildDeliveredMessage',
  'buildStepDoneMessage',
  'buildBlockedMessage',
  'buildUnblockedMessage',
  'buildRejectedMessage',
  'buildReassignedMessage',
  'buildSkippedMessage',
  'buildCancelledMessage',
  'buildCompletedMessage',
  'buildContextChangedMessage',
  'buildReminderMessage',
  'buildEscalationMessage',
  'buildGdprMessage',
  'buildDigestMessage',
  'buildDeliveryProblemMessage',
  'buildGenericNoticeMessage',
  'buildPostmortemMessage',
  'buildWebhookPausedMessage',
  'buildDigestChartMessage',
]);

type Surface = { blocks: unknown[] };
const BUILT: Record<string, () => Surface | Surface[]> = {
  buildRootMessage: () => [
    blocks.buildRootMessage(feature, playbook('feature'), T),
    blocks.buildRootMessage(incident),
  ],
  buildRunStatus: () => blocks.buildRunStatus(feature, playbook('feature')),
  buildRunStatusList: () => blocks.buildRunStatusList([feature, incident], [playbook('feature')]),
  buildChooseChainMessage: () =>
    blocks.buildChooseChainMessage(
      { ...classify('the app is slow and we should ship a fix'), choices: ['bug', 'release'] },
      42,
    ),
  buildChainStarted: () => blocks.buildChainStarted(feature, 'New Feature'),
  buildIncidentDeclaredReply: () =>
    blocks.buildIncidentDeclaredReply({
      by: 'UREQ',
      runId: 'INC-1',
      severity: 'sev1',
      title: 'Checkout down',
      permalink: 'https://x.test/p1',
    }),
  buildMineList: () => [
    blocks.buildMineList([{ run: feature, step }], [playbook('feature')]),
    blocks.buildMineList([]),
  ],
  buildRolesList: () =>
    blocks.buildRolesList([
      { role: 'Atlas', title: 'CTO', holders: ['UATLAS', 'SPLATFORM'] },
      { role: 'Scribe', holders: [] },
    ]),
  buildHelp: () => blocks.buildHelp(),
  buildDescribeRequest: () => [
    blocks.buildDescribeRequest({ prefix: 'x' }),
    blocks.buildDescribeRequest({ prefix: 'x', chain: { command: 'feature', title: 'New Feature' } }),
  ],
  buildRefusal: () => blocks.buildRefusal('Only the step owner can do that.'),
  buildAppHome: () =>
    blocks.buildAppHome({
      waiting: [{ run: feature, step }],
      openRuns: [feature, incident],
      metrics: METRICS,
      playbooks: [playbook('feature')],
    }),
  buildStepDoneModal: () =>
    incident.steps
      .map((s) => blocks.buildStepDoneModal(incident, s, playbook('incident')))
      .concat(feature.steps.map((s) => blocks.buildStepDoneModal(feature, s, playbook('feature')))),
  buildBlockModal: () => blocks.buildBlockModal(feature, step),
  buildUnblockModal: () => [
    blocks.buildUnblockModal(feature, blockedStep),
    blocks.buildUnblockModal(feature, blockedStep, { riskAcceptance: true, riskAcceptor: 'Ghabs' }),
  ],
  buildRejectModal: () => blocks.buildRejectModal(feature, step),
  buildReassignModal: () => {
    const diagnose = { ...incident.steps.find((s) => s.key === 'diagnose')! };
    diagnose.assignees = Object.fromEntries(diagnose.owners.map((r) => [r, [`U${r.toUpperCase()}`]]));
    return [blocks.buildReassignModal(feature, step), blocks.buildReassignModal(incident, diagnose)];
  },
  buildSkipModal: () => blocks.buildSkipModal(feature, step),
  buildDeclareIncidentModal: () =>
    blocks.buildDeclareIncidentModal({
      title: 'Checkout down',
      description: 'All 500s',
      permalink: 'https://x.test/p1',
      playbook: playbook('incident'),
    }),
  buildDigestAnswer: () => [
    blocks.buildDigestAnswer({ shown: 'channel', channel: 'CALGOSYNC', digest }),
    blocks.buildDigestAnswer({ shown: 'requester', reason: 'admins_only', channel: null, digest }),
  ],
  buildMetricsBlocks: () => ({ blocks: blocks.buildMetricsBlocks(METRICS) }),
  buildMetricsMessage: () => blocks.buildMetricsMessage(METRICS),
  buildPostmortemPosted: () => blocks.buildPostmortemPosted({ runId: 'INC-1' }),
  buildSnoozedMessage: () =>
    clocks.buildSnoozedMessage({
      runId: 'FEAT-3',
      stepKey: 'vision_scope',
      stepTitle: 'Vision & Scope',
      minutes: 60,
      until: T + 3_600_000,
    }),
  buildGdprRecordedMessage: () =>
    clocks.buildGdprRecordedMessage({
      runId: 'INC-2',
      startedAt: T,
      deadlineAt: T + 72 * 3_600_000,
      notifiedAt: T + 3_600_000,
      withinDeadline: true,
    }),
};

const ctx = {
  users: { UATLAS: 'Atlas', UREQ: 'Requester' },
  channels: { CALGOSYNC: 'algo-sync' },
  idPrefix: 'v',
};

function expectRendered(name: string, surface: Surface): string {
  expect(surface.blocks.length, `${name} has blocks`).toBeGreaterThan(0);
  const html = renderBlocks(surface.blocks, ctx);
  expect(html, name).not.toContain('unsupported');
  // Every form control is labelled by its Block Kit label.
  const ids = [...html.matchAll(/<(?:textarea|select|input)[^>]*\sid="([^"]+)"/g)].map((m) => m[1]!);
  for (const id of ids) {
    const labelled =
      html.includes(`for="${id}"`) || new RegExp(`aria-labelledby="[^"]*"[^>]*>[^]*id="${id}"`).test(html);
    expect(labelled, `${name}: control ${id} has a label`).toBe(true);
  }
  return html;
}

describe('the page renders every Block Kit builder', () => {
  it('has an entry for every builder the blocks module exports', () => {
    const exported = [...Object.keys(blocks), ...Object.keys(clocks)].filter((k) => k.startsWith('build'));
    const covered = new Set([...THROUGH_RENDER_MAP, ...Object.keys(BUILT)]);
    expect(exported.filter((k) => !covered.has(k))).toEqual([]);
  });

  it.each(NOTICES.map((n) => [n.type, n] as const))('the %s notice', (type, notice) => {
    expectRendered(type, renderNotice(notice, { run: feature, playbook: playbook('feature') }));
  });

  it.each(Object.entries(BUILT))('%s', (name, build) => {
    const built = build();
    for (const surface of Array.isArray(built) ? built : [built]) expectRendered(name, surface);
  });

  it('shows a block it does not know as unsupported (what the checks above look for)', () => {
    expect(renderBlocks([{ type: 'video', title: { type: 'plain_text', text: 'x' } }])).toContain(
      'unsupported block: video',
    );
    expect(renderBlocks([{ type: 'actions', elements: [{ type: 'datepicker', action_id: 'd' }] }])).toContain(
      'unsupported element: datepicker',
    );
  });

  it('renders mrkdwn as Slack does, escaping what it shows', () => {
    const html = renderBlocks(
      [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*Step* <@UATLAS> &lt;script&gt; _done_ <https://x.test/a?b=1&amp;c=2|link>\n>quoted',
          },
        },
      ],
      ctx,
    );
    expect(html).toContain('<strong>Step</strong>');
    expect(html).toContain('@Atlas');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<em>done</em>');
    expect(html).toContain('href="https://x.test/a?b=1&amp;c=2"');
    expect(html).toContain('<blockquote>quoted</blockquote>');
    const date = renderBlocks([
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'until <!date^1793610000^{date_short} {time}|later>' }],
      },
    ]);
    expect(date).toContain('until Mon 2 Nov, 09:00 UTC');
  });
});
