import { describe, expect, it } from 'vitest';
import type { EscalationNotice, GdprNotice, ReminderNotice } from '../../../../src/domain/clock-notices.ts';
import type { DigestNotice } from '../../../../src/domain/reports.ts';
import {
  buildEscalationMessage,
  buildGdprMessage,
  buildGdprRecordedMessage,
  buildReminderMessage,
  buildSnoozedMessage,
} from '../../../../src/slack/blocks/clocks/index.ts';
import {
  buildDigestMessage,
  buildMetricsMessage,
  buildPostmortemPosted,
} from '../../../../src/slack/blocks/index.ts';
import { ACTION } from '../../../../src/slack/ids.ts';

const T = Date.UTC(2026, 10, 2, 9, 0);
const base = {
  runId: 'FEAT-3',
  runTitle: 'Dark mode',
  stepKey: 'vision_scope',
  stepTitle: 'Vision & Scope',
  phase: 'ack' as const,
  owners: [{ role: 'Ghabs', principals: ['UGHABS'] }],
  startedAt: T,
  deadlineAt: T + 12 * 3_600_000,
  regime: 'acknowledge within 12 h',
  blockedReason: null,
  dueAt: T + 10 * 3_600_000,
  firedAt: T + 10 * 3_600_000,
  late: false,
  lateByMs: 0,
};

const actionIds = (blocks: unknown[]) =>
  blocks.flatMap((b) =>
    (b as { type: string }).type === 'actions'
      ? (b as { elements: { action_id: string }[] }).elements.map((e) => e.action_id)
      : [],
  );

describe('clock message builders', () => {
  it('a reminder mentions the owner and carries step_ack and step_snooze', () => {
    const m = buildReminderMessage({ type: 'reminder', ...base } satisfies ReminderNotice);
    expect(JSON.stringify(m.blocks)).toContain('<@UGHABS>');
    expect(actionIds(m.blocks)).toEqual([ACTION.stepAck, ACTION.stepSnooze]);
    expect(m.text).toContain('Vision &amp; Scope (FEAT-3)');
  });

  it('an escalation says who it went to and at which tier, and says when it is late', () => {
    const n: EscalationNotice = {
      type: 'escalation',
      ...base,
      late: true,
      lateByMs: 16 * 3_600_000,
      escalatedTo: [
        { role: 'Atlas', principals: ['UATLAS'], tier: 'direct', from: 'Architect', repeated: false },
      ],
      noTarget: [],
    };
    const m = buildEscalationMessage(n);
    const json = JSON.stringify(m.blocks);
    expect(json).toContain('<@UATLAS> (@Atlas) as direct lead of @Architect');
    expect(json).toContain('Sent late');
    expect(m.text).toContain('escalated to @Atlas');
  });

  it('a GDPR reminder shows the time left and mentions Privacy and Ghabs', () => {
    const m = buildGdprMessage({
      type: 'gdpr',
      runId: 'INC-2',
      runTitle: 'Leak',
      mark: '70h',
      startedAt: T,
      deadlineAt: T + 72 * 3_600_000,
      remainingMs: 2 * 3_600_000,
      mentions: [
        { role: 'Privacy', principals: ['UPRIVACY'] },
        { role: 'Ghabs', principals: ['UGHABS'] },
      ],
    });
    expect(JSON.stringify(m.blocks)).toMatch(/2h left.*<@UPRIVACY>.*<@UGHABS>/);
  });

  it('a GDPR message carries gdpr_notified (value: the run) while the clock runs, and not once it stopped', () => {
    const n: GdprNotice = {
      type: 'gdpr',
      runId: 'INC-2',
      runTitle: 'Leak',
      mark: 'started',
      startedAt: T,
      deadlineAt: T + 72 * 3_600_000,
      remainingMs: 72 * 3_600_000,
      mentions: [{ role: 'Privacy', principals: ['UPRIVACY'] }],
    };
    for (const mark of ['started', '24h', '72h', 'overdue']) {
      const m = buildGdprMessage({ ...n, mark });
      expect(actionIds(m.blocks), mark).toEqual([ACTION.gdprNotified]);
      expect(JSON.stringify(m.blocks)).toContain('"value":"INC-2"');
    }
    for (const mark of ['notified', 'stopped'])
      expect(actionIds(buildGdprMessage({ ...n, mark }).blocks)).toEqual([]);
  });

  it('the answers to snooze, GDPR notification and post-mortem say what happened', () => {
    const snoozed = buildSnoozedMessage({
      runId: 'FEAT-3',
      stepKey: 'vision_scope',
      stepTitle: 'Vision & Scope',
      minutes: 60,
      until: T + 3_600_000,
    });
    expect(snoozed.text).toBe('Snoozed Vision &amp; Scope (FEAT-3) for 1h');
    expect(JSON.stringify(snoozed.blocks)).toContain(`<!date^${(T + 3_600_000) / 1000}^`);
    const recorded = (notifiedAt: number) =>
      buildGdprRecordedMessage({
        runId: 'INC-2',
        startedAt: T,
        deadlineAt: T + 72 * 3_600_000,
        notifiedAt,
        withinDeadline: notifiedAt <= T + 72 * 3_600_000,
      });
    expect(JSON.stringify(recorded(T + 3_600_000).blocks)).toContain('within the 72 hours');
    expect(JSON.stringify(recorded(T + 75 * 3_600_000).blocks)).toContain('3h after the deadline');
    expect(buildPostmortemPosted({ runId: 'INC-2' }).text).toContain('INC-2');
  });

  it('a huge digest stays within 50 blocks and 3000 characters a section', () => {
    const items = Array.from({ length: 10 }, (_, i) => ({
      id: `BUG-${i}`,
      title: 'x'.repeat(200),
      chain: 'bug',
      link: null,
      stepTitle: 'Fix',
      owners: [],
      ageMs: 1,
      acknowledged: true,
    }));
    const groups = Array.from({ length: 60 }, (_, g) => ({
      chain: 'bug',
      chainTitle: 'Bug Fix',
      stepKey: `s${g}`,
      stepTitle: `Step ${g}`,
      count: 100,
      items,
    }));
    const data = {
      kind: 'daily',
      periodKey: 'daily:2026-11-02',
      generatedAt: T,
      timeZone: 'UTC',
      since: T - 86_400_000,
      shipped: { total: 0, items: [] },
      pending: { total: 6000, groups },
      blocked: { total: 0, items: [] },
      overdue: { total: 0, items: [] },
      incidents: { total: 0, bySeverity: [] },
      gdpr: { items: [] },
      metrics: null,
    } satisfies DigestNotice['data'];
    const m = buildDigestMessage({
      type: 'digest',
      kind: 'daily',
      periodKey: 'daily:2026-11-02',
      title: 'Daily digest, 2026-11-02',
      text: '',
      data,
    });
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    for (const b of m.blocks) {
      const text = (b as { text?: { text: string } }).text?.text ?? '';
      expect(text.length).toBeLessThanOrEqual(3000);
    }
    expect(m.text).toContain('6000 pending');
  });

  it('metrics show count, average duration and success rate per chain, and MTTR', () => {
    const m = buildMetricsMessage({
      from: null,
      to: null,
      chains: [
        {
          chain: 'incident',
          title: 'Incident Response',
          count: 20,
          done: 19,
          open: 1,
          avgDurationMs: 3 * 3_600_000,
          successRate: 0.95,
        },
      ],
      mttr: [
        { severity: 'sev1', count: 4, avgMs: 45 * 60_000 },
        { severity: 'sev2', count: 0, avgMs: null },
      ],
    });
    const json = JSON.stringify(m.blocks);
    expect(json).toContain('*Incident Response*: 20 closed, avg 3h, success 95%, 1 open');
    expect(json).toContain('SEV1: 45m over 4 incident(s)');
  });
});
