// Which notice is which webhook event, and whom it concerns (pure, table-driven).
import { describe, expect, it } from 'vitest';
import type { Notice } from '../../src/domain/notices.ts';
import { eventOfNotice } from '../../src/domain/webhook-events.ts';

const run = {
  requester: 'UREQ',
  steps: [{ key: 'triage', assignees: { Atlas: ['UATLAS'], QAGuard: ['SQA'] } }],
} as never;
const base = { runId: 'BUG-1', stepKey: 'triage', stepTitle: 'Triage', by: 'UATLAS' };

const cases: [string, Notice, { type: string; data: Record<string, unknown>; concerns: string[] } | null][] =
  [
    [
      'a handoff',
      {
        ...base,
        type: 'handoff',
        position: 1,
        total: 3,
        mentions: [{ role: 'Atlas', principals: ['UATLAS'] }],
        watchers: [],
        phase: 'owners',
        output: null,
        gate: null,
        notes: [],
        unheld: [],
        canSkip: false,
      } as Notice,
      { type: 'step.assigned', data: { phase: 'owners' }, concerns: ['UATLAS'] },
    ],
    [
      'a step done',
      { ...base, type: 'step_done', output: 'sev2', gatePassed: null },
      {
        type: 'step.completed',
        data: {
          ...{ run_id: 'BUG-1', step_key: 'triage', step_title: 'Triage', by: 'UATLAS' },
          output: 'sev2',
          gate_passed: null,
        },
        concerns: ['UATLAS', 'SQA', 'UATLAS'],
      },
    ],
    [
      'a block',
      { ...base, type: 'blocked', role: 'Atlas', reason: 'waiting', gateFailed: null, liftedBy: 'an owner' },
      {
        type: 'run.blocked',
        data: {
          run_id: 'BUG-1',
          step_key: 'triage',
          step_title: 'Triage',
          by: 'UATLAS',
          role: 'Atlas',
          reason: 'waiting',
          gate_failed: null,
          lifted_by: 'an owner',
        },
        concerns: ['UATLAS', 'SQA'],
      },
    ],
    [
      'a run done',
      { type: 'completed', runId: 'BUG-1', durationMs: 5 },
      {
        type: 'run.closed',
        data: { run_id: 'BUG-1', status: 'done', duration_ms: 5 },
        concerns: ['UREQ', 'UATLAS', 'SQA'],
      },
    ],
    [
      'a run cancelled',
      { type: 'cancelled', runId: 'BUG-1', by: 'UREQ', reason: null },
      {
        type: 'run.closed',
        data: { run_id: 'BUG-1', status: 'cancelled', by: 'UREQ', reason: null },
        concerns: ['UREQ', 'UATLAS', 'SQA'],
      },
    ],
    [
      'a delivery by one of several owners',
      { ...base, type: 'delivered', role: 'Atlas', output: null, waitingOn: [] },
      null,
    ],
    ['a root update', { type: 'root_update', runId: 'BUG-1' }, null],
  ];

describe('eventOfNotice', () => {
  it.each(cases)('when the notice is %s, then the event is as expected', (_what, notice, expected) => {
    const event = eventOfNotice(notice, run);
    if (expected === null) expect(event).toBeNull();
    else
      expect(event).toMatchObject({
        type: expected.type,
        runId: 'BUG-1',
        data: expected.data,
        concerns: expected.concerns,
      });
  });
});
