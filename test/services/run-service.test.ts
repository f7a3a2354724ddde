// The run service on a real database: starting runs, walking the chains, each transition.
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN } from '../support/engine.ts';
import {
  active,
  closeEngines,
  completeActive,
  engine,
  eventsOf,
  REQ,
  refusal,
  start,
} from './run-service-support.ts';

afterEach(closeEngines);

describe('starting a run', () => {
  it('when a run starts, then it gets a per-chain ID, its first step is handed off, and the start is logged and announced', async () => {
    const e = await engine();
    const a = await start(e, 'feature');
    const b = await start(e, 'feature');
    const c = await start(e, 'incident', { severity: 'sev2' });
    expect([a.id, b.id, c.id]).toEqual(['FEAT-1', 'FEAT-2', 'INC-1']);
    expect(a.status).toBe('active');
    expect(active(a)).toMatchObject({
      key: 'vision_scope',
      status: 'active',
      assignees: { Ghabs: ['UGHABS'] },
    });
    const types = (await eventsOf(e, a.id)).map((x) => x.type);
    expect(types).toEqual(['run_started', 'step_skipped', 'step_activated']);
    const out = await e.store.read.outbox.list({ runId: a.id });
    expect(out.map((o) => `${o.delivery.kind}:${o.notice.type}`)).toEqual([
      'root:run_started',
      'thread:handoff',
    ]);
  });

  it('when Slack delivers the same request twice, then one run exists and the second answer points at it', async () => {
    const e = await engine();
    const first = await e.runs.startRun({
      chain: 'bug',
      title: 'x',
      text: 'x',
      requester: REQ,
      idempotencyKeys: ['event:Ev1', 'msg:C1:1.2'],
    });
    const again = await e.runs.startRun({
      chain: 'bug',
      title: 'x',
      text: 'x',
      requester: REQ,
      idempotencyKeys: ['msg:C1:1.2'],
    });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, run: { id: first.run.id } });
    expect(await e.store.read.runs.count()).toBe(1);
  });

  it('when the request is empty or the chain unknown, then nothing starts', async () => {
    const e = await engine();
    await expect(
      e.runs.startRun({ chain: 'bug', title: '  ', text: '', requester: REQ }),
    ).rejects.toMatchObject({ code: 'empty_request' });
    await expect(
      e.runs.startRun({ chain: 'nope', title: 'x', text: '', requester: REQ }),
    ).rejects.toMatchObject({ code: 'unknown_chain' });
    expect(await e.store.read.runs.count()).toBe(0);
  });
});

describe('walking the six chains', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'feature',
      { projects: ['web'] },
      ['Ghabs', 'Atlas', 'Architect', 'ProductDesigner', 'FrontendLead', 'QAGuard', 'OpsCommander', 'Scribe'],
    ],
    [
      'bug',
      { projects: ['mobile'], severity: 'high' },
      ['Requester', 'ProjectLead', 'MobileLead', 'MobileLead', 'QAGuard', 'OpsCommander', 'Scribe'],
    ],
    [
      'release',
      { releaseType: 'major' },
      [
        'Atlas',
        'FrontendLead+BackendLead+MobileLead+ContentLead+ProjectLead',
        'QAGuard',
        'Privacy',
        'Scribe',
        'OpsCommander',
        'Atlas+Ghabs',
        'OpsCommander',
        'GrowthLead',
        'Scribe+ContentLead',
      ],
    ],
    [
      'incident',
      { severity: 'sev1', projects: ['backend'] },
      [
        'OpsCommander',
        'OpsCommander',
        'OpsCommander',
        'BackendLead+OpsCommander',
        'OpsCommander',
        'Privacy',
        'BackendLead',
        'Atlas+OpsCommander',
        'Scribe',
      ],
    ],
    [
      'cross_project',
      { changeType: 'api_contract', projects: ['backend', 'web', 'mobile'] },
      [
        'BackendLead+FrontendLead+MobileLead',
        'Architect',
        'Architect+BackendLead+MobileLead+FrontendLead',
        'BackendLead+FrontendLead+MobileLead',
        'QAGuard',
        'Privacy',
        'OpsCommander',
        'Scribe',
      ],
    ],
    [
      'compliance',
      { projects: ['backend'] },
      [
        'Privacy',
        'Privacy+BackendLead',
        'Privacy',
        'Privacy',
        'Architect+BackendLead',
        'BackendLead+Privacy',
        'Privacy',
        'Privacy+Ghabs',
        'Scribe',
      ],
    ],
  ];
  it.each(
    cases,
  )('when %s is walked owner by owner, then each step is handed to its owners in SOP order and the run completes', async (chain, facts, expected) => {
    const e = await engine();
    let run = await start(e, chain, facts);
    const handedTo: string[] = [];
    while (run.status === 'active') {
      const step = active(run);
      handedTo.push([...step.owners, ...step.approvers].join('+'));
      run = await completeActive(e, run);
    }
    expect(run.status).toBe('done');
    expect(run.closedAt).not.toBeNull();
    expect(handedTo).toEqual(expected);
    for (const s of run.steps) expect(['done', 'skipped']).toContain(s.status);
    const events = await eventsOf(e, run.id);
    expect(events.at(-1)?.type).toBe('run_completed');
    // A step handed to a linked run (Permanent Fix, a major release's audit) has no handoff here.
    const linked = events.filter((x) => x.type === 'step_activated' && x.data.linkedChain).length;
    const out = await e.store.read.outbox.list({ runId: run.id });
    expect(out.filter((o) => o.notice.type === 'handoff' && o.notice.phase === 'owners')).toHaveLength(
      expected.length - linked,
    );
  });
});

describe('transitions', () => {
  it('when an owner completes a step, then the output is kept and the event records before and after', async () => {
    const e = await engine();
    const run = await e.runs.completeStep((await start(e, 'feature')).id, await e.as('UGHABS'), {
      output: 'Brief: dark mode for all',
    });
    expect(run.steps[0]).toMatchObject({
      status: 'done',
      output: 'Brief: dark mode for all',
      deliveries: { Ghabs: { by: 'UGHABS' } },
    });
    expect(active(run).key).toBe('technical_feasibility');
    const ev = (await eventsOf(e, run.id)).find((x) => x.type === 'step_completed')!;
    expect(ev).toMatchObject({
      actor: 'UGHABS',
      stepKey: 'vision_scope',
      data: {
        before: { status: 'active' },
        after: { status: 'done' },
        gate: { check: "Founder's Check (4 questions)", passed: true },
      },
    });
  });

  it('when a gate fails, then the run is blocked until an owner unblocks it', async () => {
    const e = await engine();
    let run = await start(e, 'feature');
    run = await e.runs.blockStep(run.id, await e.as('UGHABS'), { reason: 'Fails question 3' });
    expect(run.status).toBe('blocked');
    expect(run.steps[0]).toMatchObject({
      status: 'blocked',
      blockReason: 'Fails question 3',
      blockedBy: 'UGHABS',
      blockedByRole: 'Ghabs',
    });
    expect((await eventsOf(e, run.id)).at(-1)).toMatchObject({
      type: 'gate_failed',
      data: { gate: "Founder's Check (4 questions)" },
    });
    expect((await refusal(e.runs.completeStep(run.id, await e.as('UGHABS')))).code).toBe('step_not_active');
    run = await e.runs.unblockStep(run.id, await e.as('UGHABS'), {});
    expect(run.status).toBe('active');
    expect(run.steps[0]!.status).toBe('active');
  });

  it('when a gate that can reject rejects, then the run closes as rejected', async () => {
    const e = await engine();
    let run = await completeActive(e, await start(e, 'feature'));
    run = await e.runs.rejectRun(run.id, await e.as('UATLAS'), { reason: 'Infeasible this quarter' });
    expect(run).toMatchObject({ status: 'rejected' });
    expect(run.closedAt).not.toBeNull();
    expect(run.steps[1]).toMatchObject({ status: 'rejected', output: 'Infeasible this quarter' });
    expect((await refusal(e.runs.completeStep(run.id, await e.as('UATLAS')))).code).toBe('run_closed');
  });

  it('when a gate cannot reject, then a rejection is refused', async () => {
    const e = await engine();
    const run = await start(e, 'feature');
    expect((await refusal(e.runs.rejectRun(run.id, await e.as('UGHABS'), { reason: 'no' }))).code).toBe(
      'cannot_reject',
    );
  });

  it('when an owner reassigns the step, then the new assignee may act and the old one may not', async () => {
    const e = await engine();
    let run = await start(e, 'feature');
    run = await e.runs.reassignStep(run.id, await e.as('UGHABS'), { to: ['UDELEGATE'] });
    expect(run.steps[0]!.assignees.Ghabs).toEqual(['UDELEGATE']);
    expect((await refusal(e.runs.completeStep(run.id, await e.as('UGHABS')))).code).toBe('not_owner');
    run = await e.runs.completeStep(run.id, await e.as('UDELEGATE'), { output: 'brief' });
    expect(run.steps[0]!.status).toBe('done');
    const admin = await e.runs.reassignStep(run.id, await e.as(ADMIN), { to: ['UOTHER'] });
    expect(active(admin).assignees.Atlas).toEqual(['UOTHER']);
  });

  it('when a step the playbook lets skip is skipped with a reason, then the next step starts', async () => {
    const e = await engine();
    let run = await start(e, 'feature', { projects: ['backend'] });
    for (let i = 0; i < 3; i++) run = await completeActive(e, run);
    expect(active(run).key).toBe('ux_design');
    expect(
      (await refusal(e.runs.skipStep(run.id, await e.as('UPRODUCTDESIGNER'), { reason: ' ' }))).code,
    ).toBe('reason_required');
    run = await e.runs.skipStep(run.id, await e.as('UPRODUCTDESIGNER'), { reason: 'API only' });
    expect(run.steps[3]).toMatchObject({
      status: 'skipped',
      // Plain text: the core writes no Slack markup (the user as `@ID`, as post-mortems do).
      skipReason: 'Skipped by @UPRODUCTDESIGNER: API only',
    });
    expect(active(run).key).toBe('implementation');
  });

  it('when a step the playbook does not let skip is skipped, then it is refused', async () => {
    const e = await engine();
    const run = await start(e, 'feature');
    expect((await refusal(e.runs.skipStep(run.id, await e.as('UGHABS'), { reason: 'busy' }))).code).toBe(
      'skip_not_allowed',
    );
  });

  it('when a SEV1 post-mortem is skipped, then it is refused: no exceptions', async () => {
    const e = await engine();
    let run = await start(e, 'incident', { severity: 'sev1' });
    while (active(run).key !== 'post_mortem') run = await completeActive(e, run);
    expect((await refusal(e.runs.skipStep(run.id, await e.as(ADMIN), { reason: 'obvious' }))).code).toBe(
      'step_required',
    );
    const sev3 = await start(e, 'incident', { severity: 'sev3' });
    let r3 = sev3;
    while (active(r3).key !== 'post_mortem') r3 = await completeActive(e, r3);
    r3 = await e.runs.skipStep(r3.id, await e.as('UATLAS'), { reason: 'SEV3, runbook fix only' });
    expect(active(r3).key).toBe('document');
  });

  it('when the requester cancels, then the run closes; anyone else is refused', async () => {
    const e = await engine();
    const run = await start(e, 'bug');
    expect((await refusal(e.runs.cancelRun(run.id, await e.as('UGHABS'), {}))).code).toBe('not_allowed');
    const cancelled = await e.runs.cancelRun(run.id, await e.as(REQ), { reason: 'duplicate' });
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    expect((await refusal(e.runs.cancelRun(run.id, await e.as(ADMIN), {}))).code).toBe('run_closed');
  });

  it('when an owner acknowledges, then it is recorded once', async () => {
    const e = await engine();
    const run = await e.runs.acknowledgeStep((await start(e, 'feature')).id, await e.as('UGHABS'));
    expect(run.steps[0]!.acknowledgedAt).toBe(e.clock.ms);
    expect((await refusal(e.runs.acknowledgeStep(run.id, await e.as('UGHABS')))).code).toBe(
      'already_acknowledged',
    );
  });

  it('when triage records a Critical severity, then the pending steps are re-planned and Atlas and OpsCommander are told at once', async () => {
    const e = await engine();
    let run = await start(e, 'bug');
    run = await completeActive(e, run);
    run = await e.runs.completeStep(run.id, await e.as('UPROJECTLEAD'), {
      output: 'Critical, web',
      facts: { severity: 'critical', projects: ['web'] },
    });
    expect(run.severity).toBe('critical');
    expect(active(run)).toMatchObject({
      key: 'root_cause_analysis',
      owners: ['FrontendLead'],
      assignees: { FrontendLead: ['UFRONTENDLEAD'] },
    });
    const notify = (await e.store.read.outbox.list({ runId: run.id })).filter(
      (o) => o.notice.type === 'notify',
    );
    expect(
      notify
        .filter((o) => o.delivery.kind === 'thread')
        .map((o) => (o.notice as { mentions: { role: string }[] }).mentions.map((m) => m.role)),
    ).toEqual([['ProjectLead', 'Atlas', 'OpsCommander']]);
    expect(
      notify.filter((o) => o.delivery.kind === 'dm').map((o) => (o.delivery as { userId: string }).userId),
    ).toEqual(['UPROJECTLEAD', 'UATLAS', 'UOPSCOMMANDER']);
  });

  it('when a security bug reaches triage, then Privacy is told then, not before', async () => {
    const e = await engine();
    let run = await start(e, 'bug', { flags: ['security'] });
    const notifies = async () =>
      (await e.store.read.outbox.list({ runId: run.id })).filter(
        (o) => o.notice.type === 'notify' && o.delivery.kind === 'thread',
      );
    expect(await notifies()).toHaveLength(0);
    run = await completeActive(e, run);
    expect((await notifies()).map((o) => (o.notice as { reason: string }).reason)).toEqual([
      'Security bug: @Privacy assesses the breach risk.',
    ]);
  });
});
