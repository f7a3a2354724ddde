import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../src/domain/notices.ts';
import type { Run } from '../../../src/domain/types.ts';
import { buildReminderMessage } from '../../../src/slack/blocks/clocks/index.ts';
import {
  buildHandoffMessage,
  buildRootMessage,
  buildRunStatus,
  buildRunStatusList,
} from '../../../src/slack/blocks/index.ts';
import { ACTION, encodeStepRef } from '../../../src/slack/ids.ts';
import { renderNotice } from '../../../src/slack/render.ts';
import { NOTICES, playbook, startedRun } from './fixtures.ts';
import { actionElements, allText, messageProblems } from './slack-limits.ts';

type Handoff = Extract<Notice, { type: 'handoff' }>;
const handoff = NOTICES.find((n): n is Handoff => n.type === 'handoff')!;
const { run: feature } = startedRun();

describe('renderNotice', () => {
  it.each(
    NOTICES.map((n) => [n.type, n] as const),
  )('when the notice is %s, then it renders text and valid blocks', (_type, notice) => {
    const m = renderNotice(notice, { run: feature, playbook: playbook('feature') });
    expect(messageProblems(m)).toEqual([]);
    expect(m.text.trim()).not.toBe('');
    expect(m.blocks.length).toBeGreaterThan(0);
  });

  it('when a notice carries a run id, then its text names the run', () => {
    for (const n of NOTICES.filter((x) => x.runId)) {
      expect(allText(renderNotice(n, {})), n.type).toContain(n.runId!);
    }
  });

  it('when the notice is unknown, then its fields are shown rather than dropped', () => {
    // An outbox row written by another version of the bot, with a type this one does not know.
    const m = renderNotice(
      {
        type: 'nudge',
        runId: 'FEAT-3',
        stepTitle: 'UX Design',
        mentions: [{ role: 'ProductDesigner', principals: ['UPD'] }],
      } as unknown as Notice,
      {},
    );
    expect(allText(m)).toContain('UX Design');
    expect(allText(m)).toContain('<@UPD>');
    const odd = renderNotice({ type: 'weekly_thing', runId: 'X-1', n: 3 } as unknown as Notice, {});
    expect(messageProblems(odd)).toEqual([]);
    expect(allText(odd)).toContain('3');
  });

  it('when a job prepared text and blocks, then they are used as given', () => {
    const prepared = {
      type: 'weekly_summary',
      text: 'Daily digest: 3 open runs',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Daily digest*' } }],
    } as unknown as Notice;
    const m = renderNotice(prepared, {});
    expect(m.text).toBe('Daily digest: 3 open runs');
    expect(m.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '*Daily digest*' } }]);
  });

  it('when a clock notice is rendered, then its own builder makes the message (nothing to register)', () => {
    const reminder = NOTICES.find((n) => n.type === 'reminder')!;
    expect(renderNotice(reminder, {})).toEqual(buildReminderMessage(reminder));
  });

  it('when a notify is rendered, then each holder is mentioned with the reason (also the DM text)', () => {
    const notify = NOTICES.find((n) => n.type === 'notify')!;
    const m = renderNotice(notify, {});
    expect(m.text).toContain('<@UGHABS>');
    expect(m.text).toContain('<@UATLAS>');
    expect(m.text).toContain('SEV1');
  });

  it('when a block is announced, then it says why, who may lift it, and carries step_unblock', () => {
    const blocked = NOTICES.find((n) => n.type === 'blocked')!;
    const m = renderNotice(blocked, {});
    const text = allText(m);
    expect(text).toContain('No DPIA');
    expect(text).toContain('only @Privacy, or @Ghabs accepting the risk');
    expect(actionElements(m.blocks).map((e) => [e.action_id, e.value])).toEqual([
      [ACTION.stepUnblock, encodeStepRef('FEAT-3', 'technical_feasibility')],
    ]);
  });

  it('when a risk is accepted, then the rationale is shown', () => {
    const m = renderNotice(NOTICES.find((n) => n.type === 'unblocked')!, {});
    expect(allText(m)).toContain('accepted the risk');
    expect(allText(m)).toContain('consent banner');
  });
});

describe('buildHandoffMessage', () => {
  it('when a step is handed off, then it mentions the owners, states step, output and gate, and carries the buttons', () => {
    const m = buildHandoffMessage(handoff);
    const text = allText(m);
    for (const part of [
      '<@UATLAS>',
      '<!subteam^SPLATFORM>',
      '<@UARCHITECT>',
      'Step 2/9',
      'Technical Feasibility',
      'Feasibility assessment, HOW and WHEN',
      'Rejects if infeasible or misaligned',
      'can reject',
      'Growth-related feature',
    ])
      expect(text).toContain(part);
    const buttons = actionElements(m.blocks);
    expect(buttons.map((b) => b.action_id)).toEqual([
      ACTION.stepDone,
      ACTION.stepBlock,
      ACTION.stepReject,
      ACTION.stepReassign,
      ACTION.stepAck,
    ]);
    expect(buttons[0]!.style).toBe('primary');
    for (const b of buttons) expect(b.value).toBe(encodeStepRef('FEAT-3', 'technical_feasibility'));
    expect(m.text).toContain('<@UATLAS>');
  });

  it('when the gate cannot reject and the step can be skipped, then Reject is absent and Skip present', () => {
    const m = buildHandoffMessage({ ...handoff, gate: null, canSkip: true });
    const ids = actionElements(m.blocks).map((b) => b.action_id);
    expect(ids).not.toContain(ACTION.stepReject);
    expect(ids).toContain(ACTION.stepSkip);
  });

  it('when nobody holds a role, then the handoff says how an admin sets it', () => {
    const m = buildHandoffMessage({
      ...handoff,
      mentions: [{ role: 'Atlas', principals: [] }],
      unheld: ['Atlas'],
    });
    expect(allText(m)).toContain(
      'nobody holds @Atlas: an admin can `/lead role set Atlas @someone`'.replace('nobody', 'Nobody'),
    );
  });

  it('when the engine hands off the first step, then every owner is mentioned', () => {
    const { notices } = startedRun({ chain: 'incident', severity: 'sev1' });
    const first = notices.find((n): n is Handoff => n.type === 'handoff')!;
    const m = renderNotice(first, {});
    expect(messageProblems(m)).toEqual([]);
    for (const who of first.mentions.flatMap((x) => x.principals)) expect(allText(m)).toContain(`<@${who}>`);
    const notify = notices.filter((n) => n.type === 'notify');
    expect(notify.length).toBeGreaterThan(0);
    expect(allText(renderNotice(notify[0]!, {}))).toContain('<@UGHABS>');
  });
});

describe('buildRootMessage', () => {
  it('when a run starts, then the root names chain, run ID, requester, severity, release type and progress', () => {
    const { run } = startedRun({ chain: 'bug', severity: 'critical', title: 'Checkout crashes' });
    const m = buildRootMessage(run, playbook('bug'));
    const text = allText(m);
    expect(messageProblems(m)).toEqual([]);
    for (const part of ['Bug Fix', 'BUG-3', '<@UREQ>', 'Critical', 'Release type', '▶️', '◻️'])
      expect(text).toContain(part);
    expect(m.text).toContain('BUG-3');
  });

  it('when steps are done, skipped, blocked and rejected, then the progress line shows each', () => {
    const run: Run = structuredClone(feature);
    const statuses = ['done', 'skipped', 'blocked', 'rejected', 'pending'] as const;
    run.steps.forEach((s, i) => {
      s.status = statuses[i % statuses.length]!;
    });
    const text = allText(buildRootMessage(run, playbook('feature')));
    for (const e of ['✅', '⏭️', '⛔', '✖', '◻️']) expect(text).toContain(e);
  });

  it('when the run is closed, then the root shows its outcome', () => {
    const done: Run = {
      ...structuredClone(feature),
      status: 'done',
      closedAt: feature.createdAt + 2 * 3600_000,
    };
    expect(allText(buildRootMessage(done))).toContain('Done');
    expect(allText(buildRootMessage(done))).toContain('2h');
    const rejected: Run = structuredClone(feature);
    rejected.status = 'rejected';
    rejected.steps[1]!.status = 'rejected';
    rejected.steps[1]!.output = 'Infeasible';
    expect(allText(buildRootMessage(rejected))).toContain('Rejected');
    expect(allText(buildRootMessage(rejected))).toContain('Infeasible');
  });

  it('when the run is current, then the root shows the current step and its owners', () => {
    const text = allText(buildRootMessage(feature, playbook('feature')));
    expect(text).toContain('Vision & Scope');
    expect(text).toContain('<@UGHABS>');
  });

  it('when user data was exposed, then the root shows the GDPR deadline and time left until the notification is recorded', () => {
    const { run } = startedRun({ chain: 'incident', severity: 'sev1', title: 'Leak' });
    const startedAt = run.createdAt;
    const deadlineAt = startedAt + 72 * 3_600_000;
    const deadline = `<!date^${deadlineAt / 1000}^`;
    run.context.gdprClock = { startedAt, deadlineAt, notifiedAt: null, notifiedBy: null, stoppedAt: null };
    const running = allText(
      renderNotice({ type: 'root_update', runId: run.id }, { run, now: startedAt + 3_600_000 }),
    );
    expect(running).toContain(deadline);
    expect(running).toContain('2d 23h left');
    expect(running).toContain(`/lead gdpr ${run.id} notified`);
    expect(allText(buildRootMessage(run, null, deadlineAt + 2 * 3_600_000))).toContain('overdue by 2h');
    // Pure: without the caller's clock there is no time left to show.
    expect(allText(buildRootMessage(run))).not.toContain(deadline);
    run.context.gdprClock = {
      startedAt,
      deadlineAt,
      notifiedAt: startedAt + 5,
      notifiedBy: 'UPRIV',
      stoppedAt: null,
    };
    expect(allText(buildRootMessage(run, null, startedAt + 3_600_000))).not.toContain(deadline);
  });

  it('when the run is listed by status, then each run is shown within limits', () => {
    expect(messageProblems(buildRunStatus(feature, playbook('feature')))).toEqual([]);
    const list = buildRunStatusList(
      Array.from({ length: 30 }, () => feature),
      [playbook('feature')],
    );
    expect(messageProblems(list)).toEqual([]);
    expect(messageProblems(buildRunStatusList([]))).toEqual([]);
  });
});

describe('Slack limits', () => {
  const huge = 'x'.repeat(40_000);
  const words = 'all work and no play '.repeat(2_000);

  it('when the request is 40,000 characters, then the root and every notice stay within limits', () => {
    const { run } = startedRun({ title: huge, text: words });
    const m = buildRootMessage(run, playbook('feature'));
    expect(messageProblems(m)).toEqual([]);
    expect(m.text).toContain('FEAT-3');
    expect(allText(m)).toContain('…');
    for (const n of NOTICES) expect(messageProblems(renderNotice(n, { run })), n.type).toEqual([]);
  });

  it('when outputs, reasons and notes are huge, then every notice stays within limits', () => {
    for (const n of NOTICES) {
      const big = Object.fromEntries(
        Object.entries(n).map(([k, v]) => [
          k,
          typeof v === 'string' && !['type', 'runId', 'stepKey'].includes(k) ? words : v,
        ]),
      ) as Notice;
      if (big.type === 'handoff') big.notes = Array.from({ length: 80 }, () => words);
      expect(messageProblems(renderNotice(big, { run: feature })), n.type).toEqual([]);
    }
  });

  it('when a run has 60 steps, then the root stays within 50 blocks and 3000 characters a section', () => {
    const run: Run = structuredClone(feature);
    const template = run.steps[0]!;
    run.steps = Array.from({ length: 60 }, (_, i) => ({
      ...structuredClone(template),
      idx: i,
      key: `step_${i}`,
      title: `A rather long step title number ${i} ${'with more words '.repeat(5)}`,
      status: i < 20 ? 'done' : i === 20 ? 'active' : 'pending',
    }));
    const m = buildRootMessage(run);
    expect(messageProblems(m)).toEqual([]);
    expect(allText(m)).toContain('▶️');
  });

  it('when a handoff mentions 300 people and 40 unheld roles, then it stays within limits and keeps the buttons', () => {
    const many = Array.from({ length: 300 }, (_, i) => `U${String(i).padStart(8, '0')}`);
    const m = buildHandoffMessage({
      ...handoff,
      mentions: Array.from({ length: 20 }, (_, i) => ({ role: `Role${i}`, principals: many })),
      unheld: Array.from({ length: 40 }, (_, i) => `Unheld${i}`),
    });
    expect(messageProblems(m)).toEqual([]);
    expect(actionElements(m.blocks)[0]!.action_id).toBe(ACTION.stepDone);
  });

  it('when a request contains @channel or markup, then it cannot ping the channel', () => {
    const { run } = startedRun({ title: 'Ping <!channel> now & <script>', text: 'hey <!here> <@UFRIEND>' });
    const text = allText(buildRootMessage(run));
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<!here>');
    expect(text).toContain('&lt;script&gt;');
    expect(text).toContain('<@UFRIEND>');
  });
});
