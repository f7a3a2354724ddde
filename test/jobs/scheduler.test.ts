import { describe, expect, it } from 'vitest';
import { createClockEngine, DAY, HOUR, MIN } from '../services/clocks/clock-engine.ts';
import { userFor } from '../support/engine.ts';

describe('scheduler: step deadlines (seed 000: acknowledge within 12 h, remind at 10, escalate at 14)', () => {
  it('when nobody acknowledges a feature step, then the owner is reminded at hour 10 and the direct lead escalated to at hour 14', async () => {
    const e = await createClockEngine();
    const { run } = await e.runs.startRun({
      chain: 'feature',
      title: 'Dark mode',
      text: 'Dark mode',
      requester: 'UREQ',
    });
    e.clock.advance(10 * HOUR - MIN);
    expect(await e.scheduler.tick()).toEqual([]);
    e.clock.advance(MIN);
    const first = await e.scheduler.tick();
    expect(first.map((f) => f.kind)).toEqual(['ack_reminder']);
    expect(first[0]!.late).toBe(false);
    const [reminder] = e.notices(['reminder']);
    expect(reminder!.notice).toMatchObject({
      runId: run.id,
      stepKey: 'vision_scope',
      phase: 'ack',
      owners: [{ role: 'Ghabs', principals: ['UGHABS'] }],
    });
    e.clock.advance(4 * HOUR);
    const second = await e.scheduler.tick();
    expect(second.map((f) => f.kind)).toEqual(['ack_due', 'ack_escalation']);
    const esc = e.notices(['escalation']);
    // Ghabs is the top: nobody above holds a role.
    expect(esc[0]!.notice).toMatchObject({ type: 'escalation', escalatedTo: [], noTarget: ['Ghabs'] });
    expect(await e.scheduler.tick()).toEqual([]);
  });

  it('when an owner acknowledges, then the acknowledgement clock stops and the completion clock goes on', async () => {
    const e = await createClockEngine();
    const { run } = await e.runs.startRun({
      chain: 'feature',
      title: 'Dark mode',
      text: 'x',
      requester: 'UREQ',
    });
    await e.runs.completeStep(run.id, userFor('Ghabs'), { output: 'brief' });
    e.clock.advance(HOUR);
    await e.runs.acknowledgeStep(run.id, userFor('Atlas'));
    e.clock.advance(20 * HOUR);
    expect(await e.scheduler.tick()).toEqual([]);
    e.clock.advance(3 * DAY);
    const fired = await e.scheduler.tick();
    expect(fired.map((f) => [f.kind, f.stepKey])).toEqual([['done_reminder', 'technical_feasibility']]);
  });

  it('when Architect sits on a step, then escalations climb direct lead → cross-functional lead → exec', async () => {
    const e = await createClockEngine();
    const { run } = await e.runs.startRun({ chain: 'feature', title: 'X', text: 'x', requester: 'UREQ' });
    await e.runs.completeStep(run.id, userFor('Ghabs'), { output: 'brief' });
    await e.runs.completeStep(run.id, userFor('Atlas'), { output: 'ok' });
    e.clock.advance(8 * DAY);
    const fired = await e.scheduler.tick();
    expect(fired.filter((f) => f.escalatedTo).map((f) => [f.kind, f.escalatedTo])).toEqual([
      ['ack_escalation', ['Atlas']],
      ['done_escalation', ['ProjectLead']],
      ['done_escalation', ['Ghabs']],
    ]);
    const dms = e.notices(['escalation']).filter((n) => n.kind === 'dm');
    expect(dms.map((d) => d.channelId)).toEqual(['UATLAS', 'UPROJECTLEAD', 'UGHABS']);
    const events = await e.events(run.id);
    expect(events.every((ev) => ev.data.late === true)).toBe(true);
  });
});
