// The context a step's owner is handed: the request, the step's expectations, its deadline from
// the step's `done_due` timer, and the outputs of the earlier steps.
import { afterEach, describe, expect, it } from 'vitest';
import { userFor } from '../support/engine.ts';
import { type ClockEngine, createClockEngine } from './clocks/clock-engine.ts';

let e: ClockEngine;
afterEach(() => e?.close());

describe('step context', () => {
  it('carries the request, the expectations, the deadline and the earlier outputs', async () => {
    e = await createClockEngine();
    const { run } = await e.runs.startRun({
      chain: 'feature',
      title: 'Dark mode',
      text: 'Add a dark mode to the web app',
      requester: 'UREQ',
    });
    const first = run.steps.find((s) => s.status === 'active')!;
    const before = await e.runs.stepContext(run.id);
    expect(before).toMatchObject({
      run_id: run.id,
      chain: 'feature',
      chain_title: 'New Feature',
      step_key: first.key,
      position: 1,
      request: { text: 'Add a dark mode to the web app', requester: 'UREQ' },
      earlier_outputs: [],
    });
    const due = e.timers(run.id).find((t) => t.kind === 'done_due' && t.stepId === first.id)!;
    expect(before.due_at).toBe(new Date(due.dueAt).toISOString());

    let r = run;
    for (const role of first.owners) {
      r = await e.runs.completeStep(r.id, await e.as(userFor(role)), { output: `brief from ${role}` });
    }
    const next = r.steps.find((s) => s.status === 'active')!;
    const ctx = await e.runs.stepContext(r.id);
    expect(ctx.step_key).toBe(next.key);
    expect(ctx.owners).toEqual(next.owners);
    expect(ctx.assignees).toEqual(next.owners.map(userFor));
    expect(ctx.output).toBe(next.spec.output);
    expect(ctx.earlier_outputs).toHaveLength(1);
    expect(ctx.earlier_outputs[0]).toMatchObject({ step_key: first.key, status: 'done' });
    expect(ctx.earlier_outputs[0]!.output).toContain('brief from');

    const mine = await e.runs.waitingOn(await e.as(userFor(next.owners[0]!)));
    expect(mine.map((m) => m.context)).toContainEqual(ctx);
  });

  it('names a step that is not there', async () => {
    e = await createClockEngine();
    const { run } = await e.runs.startRun({
      chain: 'bug',
      title: 'Crash',
      text: 'It crashes',
      requester: 'U1',
    });
    await expect(e.runs.stepContext(run.id, 'nope')).rejects.toMatchObject({ code: 'no_such_step' });
    await expect(e.runs.stepContext('BUG-99')).rejects.toMatchObject({ code: 'run_not_found' });
  });
});
