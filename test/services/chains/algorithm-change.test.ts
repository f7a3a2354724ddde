import { describe, expect, it } from 'vitest';
import { playbookDirs } from '../../../routing/playbooks/load.ts';
import type { Run } from '../../../src/domain/types.ts';
import { userFor } from '../../support/engine.ts';
import { type ClockEngine, createClockEngine, DAY } from '../clocks/clock-engine.ts';

/** Deliver the active step: each owner, then each approver. */
async function deliverActive(e: ClockEngine, run: Run): Promise<Run> {
  let r = run;
  const step = r.steps.find((s) => s.status === 'active')!;
  for (const role of [...step.owners, ...step.approvers])
    r = await e.runs.completeStep(r.id, await e.as(userFor(role)), { output: `${step.title} done` });
  return r;
}

describe('the Algorithm Change chain (seed 000, Algorithm Lifecycle Sync)', () => {
  it('when walked from intake to the retrospective, then the retrospective is reminded one week after rollout, escalated after, and the run ends done', async () => {
    const e = await createClockEngine({ dirs: playbookDirs() });
    expect(e.directory.escalationPath('DataAnalyst')).toEqual(['OpsLead', 'ProjectLead', 'Atlas']);
    const { run } = await e.runs.startRun({
      chain: 'algorithm_change',
      title: 'Retrain the churn model',
      text: 'Retrain the churn prediction model, target KPI retention',
      requester: userFor('OwningTeamLead'),
      projects: ['backend'],
    });
    expect(run.id).toBe('ALGO-1');
    expect(run.steps.map((s) => [s.key, s.owners, s.approvers])).toEqual([
      ['intake', ['OwningTeamLead'], []],
      ['triage', ['OpsLead', 'DataAnalyst'], []],
      ['development', ['OwningTeamLead'], []],
      ['integration_testing', ['DataAnalyst', 'QAGuard'], []],
      ['rollout', ['OwningTeamLead'], ['OpsLead']],
      ['retrospective', ['OpsLead'], []],
    ]);
    // The impacted squads (the backend lead) watch development.
    expect(run.steps.find((s) => s.key === 'development')!.watchers).toEqual(['BackendLead']);

    let r = run;
    for (let i = 0; i < 5; i++) {
      e.clock.advance(DAY / 2);
      await e.scheduler.tick();
      r = await deliverActive(e, r);
    }
    expect(r.steps.find((s) => s.status === 'active')!.key).toBe('retrospective');
    const rolledOut = e.clock.ms;
    const retro = e
      .timers(r.id)
      .filter(
        (t) => t.stepId === r.steps.find((s) => s.key === 'retrospective')!.id && t.kind.startsWith('done'),
      );
    expect(retro.map((t) => [t.kind, t.dueAt - rolledOut])).toEqual([
      ['done_reminder', 7 * DAY],
      ['done_due', 7 * DAY],
      ['done_escalation', 8 * DAY],
      ['done_escalation', 10 * DAY],
    ]);

    // Six days later: nothing about the retrospective yet.
    e.clock.ms = rolledOut + 6 * DAY;
    const early = await e.scheduler.tick();
    expect(early.filter((f) => f.stepKey === 'retrospective' && f.kind.startsWith('done'))).toEqual([]);
    // One week after rollout: the Ops lead is reminded in the thread.
    e.clock.ms = rolledOut + 7 * DAY;
    const week = await e.scheduler.tick();
    expect(week.filter((f) => f.stepKey === 'retrospective').map((f) => [f.kind, f.skipped])).toEqual(
      expect.arrayContaining([['done_reminder', null]]),
    );
    const reminders = e
      .notices(['reminder'])
      .filter((n) => n.notice.stepKey === 'retrospective' && n.notice.phase === 'done');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.notice.owners).toEqual([{ role: 'OpsLead', principals: ['UOPSLEAD'] }]);
    // A day later still not done: escalated to the Ops lead's direct lead.
    e.clock.ms = rolledOut + 8 * DAY;
    await e.scheduler.tick();
    const escalation = e.notices(['escalation']).find((n) => n.notice.stepKey === 'retrospective');
    expect(escalation?.notice.escalatedTo).toMatchObject([{ role: 'ProjectLead' }]);

    r = await deliverActive(e, await e.runs.getRun(r.id));
    expect(r.status).toBe('done');
    e.clock.ms = rolledOut + 30 * DAY;
    expect((await e.scheduler.tick()).filter((f) => !f.skipped)).toEqual([]);
  });
});
