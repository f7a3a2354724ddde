// A handoff with the step's context: the request, the deadline and the earlier outputs within
// Slack's limits (trimmed, with a link to the thread), and the same as message metadata; a
// message a bot's action caused names the bot without mentioning it.
import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../src/domain/notices.ts';
import { stepContext } from '../../../src/domain/step-context.ts';
import { renderNotice } from '../../../src/slack/render.ts';
import { NOW, startedRun } from './fixtures.ts';
import { allText, messageProblems } from './slack-limits.ts';

type Handoff = Extract<Notice, { type: 'handoff' }>;

/** A feature run with its first two steps done (long outputs), and the third step's handoff. */
function handedOff(outputLength: number) {
  const { run, notices } = startedRun();
  const [first, second, third] = run.steps;
  for (const [i, s] of [first!, second!].entries()) {
    s.status = 'done';
    s.output = `${s.key} says ${'x'.repeat(outputLength)} END${i}`;
    s.completedAt = NOW + i;
  }
  third!.status = 'active';
  run.rootTs = '1700000000.000100';
  run.threadTs = '1700000000.000100';
  const base = notices.find((n): n is Handoff => n.type === 'handoff')!;
  const context = stepContext(run, third!, { chainTitle: 'New Feature', dueAt: NOW + 4 * 86_400_000 });
  const notice: Handoff = { ...base, stepKey: third!.key, stepTitle: third!.title, position: 3, context };
  return { run, notice };
}

describe('the handoff with its context', () => {
  it('shows the request, the deadline and the earlier outputs, and carries the metadata', () => {
    const { run, notice } = handedOff(20);
    const m = renderNotice(notice, { run, permalinkBase: 'https://acme.slack.com/' });
    expect(messageProblems(m)).toEqual([]);
    const text = allText(m);
    expect(text).toContain('Add a dark mode to the app');
    expect(text).toMatch(/Due:.*2026-11-06T09:00:00.000Z/);
    expect(text).toContain('vision_scope says');
    expect(text).toContain('END1');
    const meta = (m as { metadata?: { event_type: string; event_payload: Record<string, unknown> } })
      .metadata!;
    expect(meta.event_type).toBe('projectlead_step_assigned');
    expect(meta.event_payload).toMatchObject({
      run_id: run.id,
      chain: 'feature',
      step_key: notice.stepKey,
      owners: notice.context!.owners,
      due_at: '2026-11-06T09:00:00.000Z',
      thread_ts: '1700000000.000100',
      channel_id: 'CREQ',
    });
    expect((meta.event_payload.earlier_outputs as unknown[]).length).toBe(2);
    // An app that reads only the text gets it too.
    expect(m.text).toContain('Request: Add a dark mode to the app');
    expect(m.text).toContain('END1');
  });

  it('trims long outputs to Slack’s limits and links to the thread for the rest', () => {
    const { run, notice } = handedOff(5000);
    const m = renderNotice(notice, { run, permalinkBase: 'https://acme.slack.com/' });
    expect(messageProblems(m)).toEqual([]);
    const text = allText(m);
    expect(text).not.toContain('END0');
    expect(text).toContain('https://acme.slack.com/archives/CREQ/p1700000000000100');
    const meta = (m as { metadata?: { event_payload: { earlier_outputs: { output: string }[] } } }).metadata!;
    expect(meta.event_payload.earlier_outputs[0]!.output.length).toBeLessThanOrEqual(1000);
  });

  it('names a bot whose action caused a notice, never mentioning it', () => {
    const { run } = startedRun();
    const notice: Notice = {
      type: 'step_done',
      runId: run.id,
      stepKey: 'vision_scope',
      stepTitle: 'Vision & Scope',
      by: 'UATLASBOT',
      output: 'fine, ask <@UATLASBOT|atlas>',
      gatePassed: null,
      quiet: [{ userId: 'UATLASBOT', name: 'AtlasBot' }],
    };
    const text = JSON.stringify(renderNotice(notice, { run }));
    expect(text).not.toContain('<@UATLASBOT');
    expect(text).toContain('@AtlasBot');
  });
});
