// Linked runs (issue: chains that start chains): a step that runs as another chain's run waits
// for it. Incident Response's Permanent Fix runs the Bug Fix workflow from Fix as a linked run;
// a major release's Pre-Release Audit runs as a linked Compliance Review. Real database, the
// project's engine, an injected clock.
import { afterEach, describe, expect, it } from 'vitest';
import { runJson } from '../../../src/cli/json.ts';
import { linksOf } from '../../../src/domain/links.ts';
import type { Run } from '../../../src/domain/types.ts';
import { RefusedError } from '../../../src/errors.ts';
import { createTestEngine, type TestEngine, userFor } from '../../support/engine.ts';

const engines: TestEngine[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.close();
});

async function engine() {
  const e = await createTestEngine();
  engines.push(e);
  return e;
}

/** Complete the run's steps as their owners until `until` is active (or the run stops). */
async function walk(
  e: TestEngine,
  run: Run,
  until?: string,
  outputs: Record<string, string> = {},
): Promise<Run> {
  let r = run;
  for (let guard = 0; r.status === 'active' && guard < 40; guard++) {
    const step = r.steps.find((s) => s.status === 'active')!;
    if (step.key === until) return r;
    const role =
      step.owners.find((o) => !step.deliveries[o]) ?? step.approvers.find((o) => !step.deliveries[o])!;
    r = await e.runs.completeStep(r.id, await e.as(userFor(role)), {
      stepKey: step.key,
      output: outputs[step.key] ?? `${step.title} done`,
      role,
    });
  }
  return r;
}

const incident = (e: TestEngine, severity: 'sev1' | 'sev2' | 'sev3' = 'sev2') =>
  e.runs.startRun({
    chain: 'incident',
    title: 'Checkout API returns 502 for a third of requests',
    text: 'Checkout API 502s since the deploy at 14:00',
    requester: 'UREPORTER',
    channelId: 'CINC',
    severity,
    projects: ['web'],
  });

async function atPermanentFix(e: TestEngine, severity: 'sev1' | 'sev2' | 'sev3' = 'sev2') {
  const { run } = await incident(e, severity);
  const parent = await walk(e, run, 'permanent_fix', {
    detect: 'Checkout API 502 on 30% of requests; error rate 31%',
    diagnose: 'Connection pool exhausted after the deploy raised the worker count',
  });
  const [child] = (await e.store.read.runs.list({ chain: 'bug' })) as Run[];
  return { parent, child: child! };
}

describe('Permanent Fix runs the Bug Fix workflow as a linked run', () => {
  it('starts a Bug Fix at Fix with the diagnosis as root cause and the severity mapped; the incident step completes when it does', async () => {
    const e = await engine();
    const { parent, child } = await atPermanentFix(e, 'sev2');
    const fixStep = parent.steps.find((s) => s.key === 'permanent_fix')!;
    expect(fixStep.status).toBe('active');
    expect(child).toMatchObject({ chain: 'bug', severity: 'high', channelId: 'CINC', projects: ['web'] });
    expect(child.steps.map((s) => [s.key, s.status])).toEqual([
      ['report', 'done'],
      ['triage', 'done'],
      ['root_cause_analysis', 'done'],
      ['fix', 'active'],
      ['verify', 'pending'],
      ['deploy', 'pending'],
      ['document', 'pending'],
    ]);
    expect(child.steps.find((s) => s.key === 'root_cause_analysis')!.output).toContain(
      'Connection pool exhausted after the deploy raised the worker count',
    );
    expect(child.steps.find((s) => s.key === 'report')!.output).toContain('error rate 31%');
    expect(linksOf(parent)).toEqual([
      expect.objectContaining({
        relation: 'step',
        runId: child.id,
        stepKey: 'permanent_fix',
        status: 'active',
      }),
    ]);
    expect(linksOf(child)).toEqual([
      expect.objectContaining({ relation: 'parent', runId: parent.id, stepKey: 'permanent_fix' }),
    ]);

    // Nobody completes the incident's step by hand while the Bug Fix runs, not even an admin.
    await expect(
      e.runs.completeStep(parent.id, await e.as('UADMIN'), { stepKey: 'permanent_fix', output: 'done' }),
    ).rejects.toMatchObject({ code: 'step_linked' });
    await expect(
      e.runs.skipStep(parent.id, await e.as('UADMIN'), { stepKey: 'permanent_fix', reason: 'x' }),
    ).rejects.toBeInstanceOf(RefusedError);
    await expect(
      e.runs.reassignStep(parent.id, await e.as('UADMIN'), { stepKey: 'permanent_fix', to: ['UOTHER'] }),
    ).rejects.toMatchObject({ code: 'step_linked' });

    const doneChild = await walk(e, child);
    expect(doneChild.status).toBe('done');
    const after = await e.runs.getRun(parent.id);
    const step = after.steps.find((s) => s.key === 'permanent_fix')!;
    expect(step.status).toBe('done');
    expect(step.output).toContain(`${child.id} is done`);
    expect(after.steps.find((s) => s.key === 'post_mortem')!.status).toBe('active');
    expect(linksOf(after)[0]!.status).toBe('done');
    expect(runJson(after, []).links).toEqual([
      {
        relation: 'step',
        runId: child.id,
        chain: 'bug',
        title: child.title,
        step: 'permanent_fix',
        status: 'done',
      },
    ]);
    const events = await e.runs.events(parent.id);
    expect(events.find((x) => x.type === 'step_completed' && x.stepKey === 'permanent_fix')).toMatchObject({
      actor: 'system',
      data: { linkedRunId: child.id },
    });
  });

  it('maps SEV1 to critical and SEV3 to medium', async () => {
    const e = await engine();
    expect((await atPermanentFix(e, 'sev1')).child.severity).toBe('critical');
    const f = await engine();
    expect((await atPermanentFix(f, 'sev3')).child.severity).toBe('medium');
  });

  it('blocks the incident step while the Bug Fix is blocked, and goes on when it is unblocked', async () => {
    const e = await engine();
    const { parent, child } = await atPermanentFix(e);
    const fixOwner = child.steps.find((s) => s.key === 'fix')!.owners[0]!;
    await e.runs.blockStep(child.id, await e.as(userFor(fixOwner)), { reason: 'Waiting on the vendor SDK' });
    let p = await e.runs.getRun(parent.id);
    expect(p.status).toBe('blocked');
    expect(p.steps.find((s) => s.key === 'permanent_fix')).toMatchObject({
      status: 'blocked',
      blockedBy: 'system',
    });
    expect(p.blockedReason).toContain('Waiting on the vendor SDK');
    // The mirror is lifted by the Bug Fix only.
    await expect(
      e.runs.unblockStep(parent.id, await e.as('UADMIN'), { stepKey: 'permanent_fix' }),
    ).rejects.toMatchObject({ code: 'step_linked' });
    await e.runs.unblockStep(child.id, await e.as(userFor(fixOwner)), {});
    p = await e.runs.getRun(parent.id);
    expect(p.status).toBe('active');
    expect(p.steps.find((s) => s.key === 'permanent_fix')!.status).toBe('active');
  });

  it('leaves the step to its owners when the Bug Fix is cancelled', async () => {
    const e = await engine();
    const { parent, child } = await atPermanentFix(e);
    await e.runs.cancelRun(child.id, await e.as('UADMIN'), { reason: 'Fixed upstream' });
    let p = await e.runs.getRun(parent.id);
    const step = p.steps.find((s) => s.key === 'permanent_fix')!;
    expect(step.status).toBe('blocked');
    expect(step.blockReason).toContain(`${child.id} was cancelled`);
    const owner = step.owners[0]!;
    await e.runs.unblockStep(parent.id, await e.as(userFor(owner)), {});
    // The step is no longer linked: it is not re-assigned, so an admin completes it.
    p = await e.runs.completeStep(parent.id, await e.as('UADMIN'), {
      stepKey: 'permanent_fix',
      output: 'upstream',
    });
    expect(p.steps.find((s) => s.key === 'permanent_fix')!.status).toBe('done');
  });

  it('asks what to do with the Bug Fix when the incident is cancelled: cancel it too, or keep it', async () => {
    const e = await engine();
    const a = await atPermanentFix(e);
    await expect(
      e.runs.cancelRun(a.parent.id, await e.as('UADMIN'), { reason: 'Duplicate' }),
    ).rejects.toMatchObject({
      code: 'linked_runs_open',
    });
    expect((await e.runs.getRun(a.parent.id)).status).toBe('active');
    await e.runs.cancelRun(a.parent.id, await e.as('UADMIN'), { reason: 'Duplicate', linked: 'cancel' });
    expect((await e.runs.getRun(a.child.id)).status).toBe('cancelled');
    expect(linksOf(await e.runs.getRun(a.child.id))[0]!.status).toBe('cancelled');
    expect(linksOf(await e.runs.getRun(a.parent.id))[0]!.status).toBe('cancelled');

    const f = await engine();
    const b = await atPermanentFix(f);
    await f.runs.cancelRun(b.parent.id, await f.as('UADMIN'), { linked: 'keep' });
    const kept = await f.runs.getRun(b.child.id);
    expect(kept.status).toBe('active');
    expect(linksOf(kept)[0]).toMatchObject({ relation: 'parent', status: 'cancelled', detached: true });
    expect(linksOf(await f.runs.getRun(b.parent.id))[0]).toMatchObject({ detached: true });
    // The kept Bug Fix finishes by itself; the cancelled incident stays cancelled.
    expect((await walk(f, kept)).status).toBe('done');
    expect((await f.runs.getRun(b.parent.id)).status).toBe('cancelled');
  });

  it('says so in both threads', async () => {
    const e = await engine();
    const { parent, child } = await atPermanentFix(e);
    const rows = (await e.store.read.outbox.list({})).filter((o) => o.notice.type === 'run_linked');
    expect(
      rows.map((r) => {
        const n = r.notice as { relation?: string; replyIn?: { channelId: string } };
        return [r.runId, n.relation, n.replyIn?.channelId ?? null];
      }),
    ).toEqual([
      [child.id, 'parent', null],
      // The incident's root is not posted here (no Slack): a message of its own thread instead.
      [parent.id, 'step', null],
    ]);
  });
});

describe('a major release audits its scope as a linked Compliance Review', () => {
  async function release(e: TestEngine, releaseType: 'major' | 'minor') {
    const { run } = await e.runs.startRun({
      chain: 'release',
      title: 'Release 4.0',
      text: 'Ship 4.0',
      requester: 'UATLAS',
      channelId: 'CREL',
      releaseType,
      projects: ['web'],
    });
    return walk(e, run, 'pre_release_audit');
  }

  it('runs the Pre-Release Audit as a review of the release scope, and goes on when it is done', async () => {
    const e = await engine();
    const r = await release(e, 'major');
    const [audit] = await e.store.read.runs.list({ chain: 'compliance' });
    expect(audit).toMatchObject({ auditType: 'pre_release', channelId: 'CREL', projects: ['web'] });
    expect(audit!.steps[0]!.status).toBe('active');
    expect(linksOf(r)).toEqual([
      expect.objectContaining({ relation: 'step', runId: audit!.id, stepKey: 'pre_release_audit' }),
    ]);
    await walk(e, audit!);
    const after = await e.runs.getRun(r.id);
    expect(after.steps.find((s) => s.key === 'pre_release_audit')!.status).toBe('done');
    expect(after.steps.find((s) => s.key === 'changelog_docs')!.status).toBe('active');
  });

  it('leaves a minor release’s audit to Privacy', async () => {
    const e = await engine();
    const r = await release(e, 'minor');
    const step = r.steps.find((s) => s.key === 'pre_release_audit');
    if (step?.status === 'active') expect(step.assignees.Privacy).toEqual([userFor('Privacy')]);
    expect(await e.store.read.runs.list({ chain: 'compliance' })).toEqual([]);
    expect(linksOf(r)).toEqual([]);
  });
});
