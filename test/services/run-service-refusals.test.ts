// The run service on a real database: who is refused (and that it is recorded), parallel steps
// and approvals, the independence rule, two writers at once.
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/errors.ts';
import { ADMIN, type TestEngine, tempDbPath } from '../support/engine.ts';
import {
  active,
  closeEngines,
  completeActive,
  engine,
  eventsOf,
  refusal,
  start,
} from './run-service-support.ts';

afterEach(closeEngines);

describe('refusals', () => {
  it.each([
    [
      'complete',
      async (e: TestEngine, id: string) => e.runs.completeStep(id, await e.as('UINTRUDER'), { output: 'x' }),
    ],
    [
      'block',
      async (e: TestEngine, id: string) => e.runs.blockStep(id, await e.as('UINTRUDER'), { reason: 'x' }),
    ],
    [
      'reassign',
      async (e: TestEngine, id: string) =>
        e.runs.reassignStep(id, await e.as('UINTRUDER'), { to: ['UINTRUDER'] }),
    ],
    [
      'skip',
      async (e: TestEngine, id: string) => e.runs.skipStep(id, await e.as('UINTRUDER'), { reason: 'x' }),
    ],
    ['acknowledge', async (e: TestEngine, id: string) => e.runs.acknowledgeStep(id, await e.as('UINTRUDER'))],
  ])('when someone who is neither owner nor admin tries to %s, then nothing changes and the refusal is recorded', async (verb, act) => {
    const e = await engine();
    const run = await start(e, 'feature');
    const before = await e.runs.getRun(run.id);
    const outboxBefore = (await e.store.read.outbox.list()).length;
    const err = await refusal(act(e, run.id));
    expect(err.code).toBe(verb === 'skip' ? 'not_owner' : 'not_owner');
    expect(err.message).toMatch(/Only @Ghabs or an admin can/);
    expect(await e.runs.getRun(run.id)).toEqual(before);
    expect((await e.store.read.outbox.list()).length).toBe(outboxBefore);
    expect((await eventsOf(e, run.id)).at(-1)).toMatchObject({
      type: 'refused',
      actor: 'UINTRUDER',
      stepKey: 'vision_scope',
      data: { code: 'not_owner' },
    });
  });

  it('when an admin acts on any step, then it is allowed', async () => {
    const e = await engine();
    const run = await e.runs.completeStep((await start(e, 'feature')).id, await e.as(ADMIN), {
      output: 'on behalf',
    });
    expect(run.steps[0]).toMatchObject({ status: 'done', deliveries: { Ghabs: { by: ADMIN } } });
  });

  it('when a member of a user group holding the role acts, then it is allowed', async () => {
    const e = await engine();
    await e.roles.setRole(await e.as(ADMIN), 'ghabs', ['SFOUNDERS']);
    await e.store.transaction((r) => r.usergroups.set('SFOUNDERS', ['UMEMBER'], 0));
    const run = await start(e, 'feature');
    expect(run.steps[0]!.assignees.Ghabs).toEqual(['SFOUNDERS']);
    expect(
      (await e.runs.completeStep(run.id, await e.as('UMEMBER'), { output: 'ok' })).steps[0]!.status,
    ).toBe('done');
  });

  it('when a step is handed to a role nobody holds, then only an admin may act until the role is set, and the new holder takes it', async () => {
    const e = await engine({ holders: false });
    const run = await start(e, 'feature');
    expect(run.steps[0]!.assignees.Ghabs).toEqual([]);
    const handoff = (await e.store.read.outbox.list({ runId: run.id })).find(
      (o) => o.notice.type === 'handoff',
    )!;
    expect(handoff.notice).toMatchObject({ unheld: ['Ghabs'] });
    expect((await refusal(e.runs.completeStep(run.id, await e.as('UGHABS')))).code).toBe('not_owner');
    await e.roles.setRole(await e.as(ADMIN), 'Ghabs', ['UGHABS']);
    expect(await e.runs.adoptRoleHolders(await e.as(ADMIN), 'Ghabs')).toEqual([run.id]);
    expect(
      (await e.runs.completeStep(run.id, await e.as('UGHABS'), { output: 'brief' })).steps[0]!.status,
    ).toBe('done');
  });

  it('when a non-admin sets a role, then it is refused and recorded', async () => {
    const e = await engine();
    await expect(e.roles.setRole(await e.as('UGHABS'), 'Atlas', ['UX1'])).rejects.toMatchObject({
      code: 'not_admin',
    });
    await expect(e.roles.setRole(await e.as(ADMIN), 'Atlass', ['UX1'])).rejects.toMatchObject({
      code: 'unknown_role',
    });
    expect(await e.roles.holdersOf('Atlas')).toEqual(['UATLAS']);
  });
});

describe('parallel steps and approvals', () => {
  it('when a multi-project implementation is delivered by one lead, then it waits for the other, and a second press is refused', async () => {
    const e = await engine();
    let run = await start(e, 'feature', { projects: ['web', 'backend'], flags: ['backend_only'] });
    while (active(run).key !== 'implementation') run = await completeActive(e, run);
    run = await e.runs.completeStep(run.id, await e.as('UFRONTENDLEAD'), { output: 'web PR merged' });
    expect(active(run)).toMatchObject({ key: 'implementation', status: 'active' });
    const again = await refusal(
      e.runs.completeStep(run.id, await e.as('UFRONTENDLEAD'), { output: 'again' }),
    );
    expect(again.code).toBe('already_delivered');
    expect(again.message).toMatch(/waiting on @BackendLead/);
    run = await e.runs.completeStep(run.id, await e.as('UBACKENDLEAD'), { output: 'api PR merged' });
    expect(run.steps[4]).toMatchObject({
      status: 'done',
      output: 'FrontendLead: web PR merged\nBackendLead: api PR merged',
    });
    expect(active(run).key).toBe('quality_gate');
  });

  it('when the approver presses before the owner delivered, then it is refused; after, the step completes', async () => {
    const e = await engine();
    let run = await start(e, 'release', { releaseType: 'major' });
    while (active(run).key !== 'go_no_go') run = await completeActive(e, run);
    expect((await refusal(e.runs.completeStep(run.id, await e.as('UGHABS')))).code).toBe('awaiting_owners');
    run = await e.runs.completeStep(run.id, await e.as('UATLAS'), { output: 'Go from me' });
    expect(active(run).key).toBe('go_no_go');
    const approvalHandoff = (await e.store.read.outbox.list({ runId: run.id }))
      .filter((r) => r.notice.type === 'handoff')
      .at(-1)!.notice as {
      type: string;
      phase: string;
      mentions: { role: string }[];
    };
    expect(approvalHandoff).toMatchObject({
      type: 'handoff',
      phase: 'approval',
      mentions: [{ role: 'Ghabs' }],
    });
    run = await e.runs.completeStep(run.id, await e.as('UGHABS'), { output: 'Go' });
    expect(active(run).key).toBe('production_deploy');
  });
});

describe('the independence rule', () => {
  async function blockedByPrivacy() {
    const e = await engine();
    let run = await start(e, 'feature', { flags: ['user_data'], projects: ['web'] });
    while (active(run).key !== 'compliance_gate') run = await completeActive(e, run);
    run = await e.runs.blockStep(run.id, await e.as('UPRIVACY'), { reason: 'PII leaves the EU' });
    expect(run.steps.find((s) => s.key === 'compliance_gate')).toMatchObject({
      status: 'blocked',
      blockedByRole: 'Privacy',
    });
    return { e, run };
  }

  it('when Atlas or an admin tries to lift a Privacy block, then it is refused', async () => {
    const { e, run } = await blockedByPrivacy();
    await e.roles.setRole(await e.as(ADMIN), 'Atlas', ['UATLAS']);
    for (const who of ['UATLAS', ADMIN]) {
      const err = await refusal(e.runs.unblockStep(run.id, await e.as(who), { rationale: 'ship it' }));
      expect(err.code).toBe('independence_rule');
      expect(err.message).toMatch(/only @Privacy can lift it, or @Ghabs accepting the risk/);
    }
    expect((await e.runs.getRun(run.id)).status).toBe('blocked');
  });

  it('when Ghabs lifts it without a written rationale, then it is refused; with one, the risk acceptance is recorded', async () => {
    const { e, run } = await blockedByPrivacy();
    expect((await refusal(e.runs.unblockStep(run.id, await e.as('UGHABS'), { rationale: '  ' }))).code).toBe(
      'rationale_required',
    );
    const lifted = await e.runs.unblockStep(run.id, await e.as('UGHABS'), {
      rationale: 'Contractual SCCs in place; accepted for Q3',
    });
    expect(lifted.status).toBe('active');
    expect((await eventsOf(e, run.id)).at(-1)).toMatchObject({
      type: 'risk_accepted',
      actor: 'UGHABS',
      data: {
        rationale: 'Contractual SCCs in place; accepted for Q3',
        before: { role: 'Privacy', reason: 'PII leaves the EU' },
      },
    });
  });

  it('when Privacy lifts its own block, then the run goes on', async () => {
    const { e, run } = await blockedByPrivacy();
    const lifted = await e.runs.unblockStep(run.id, await e.as('UPRIVACY'), {});
    expect(lifted.status).toBe('active');
    expect((await eventsOf(e, run.id)).at(-1)!.type).toBe('step_unblocked');
  });
});

describe('concurrency', () => {
  it('when two holders of one role complete the same step at the same moment, then exactly one wins and the other is told who did', async () => {
    const e = await engine();
    await e.roles.setRole(await e.as(ADMIN), 'Ghabs', ['UONE', 'UTWO']);
    const run = await start(e, 'feature');
    const results = await Promise.allSettled([
      e.runs.completeStep(run.id, await e.as('UONE'), { stepKey: 'vision_scope', output: 'one' }),
      e.runs.completeStep(run.id, await e.as('UTWO'), { stepKey: 'vision_scope', output: 'two' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({ code: 'step_not_active' });
    expect(lost[0]!.reason.message).toMatch(/Vision & Scope \(FEAT-1\) was already completed by @U(ONE|TWO)/);
    // Who did is a structured mention; Slack renders it `<@U…>` (src/slack/blocks/text.ts).
    expect(lost[0]!.reason.text).toContainEqual({ user: expect.stringMatching(/^U(ONE|TWO)$/) });
    const completed = (await eventsOf(e, run.id)).filter((x) => x.type === 'step_completed');
    expect(completed).toHaveLength(1);
  });

  it('when the run moves on under a verb twice in a row (alerts counted on it meanwhile), then the verb still goes through on fresh state; a third time it is refused', async () => {
    /** How many more times another writer moves the run between a transition's read and its save. */
    let moves = 2;
    const e = await engine({
      hooks: [
        {
          async beforeSave(repos, tr, now) {
            if (moves === 0 || !tr.events.some((ev) => ev.type === 'step_completed')) return;
            moves--;
            await repos.runs.patchContext(tr.run.id, 'alert', { received: moves }, now, []);
          },
          async afterTransition() {},
        },
      ],
    });
    const run = await start(e, 'incident', { severity: 'sev2', context: { alert: { received: 1 } } });
    const step = active(run);
    const done = await completeActive(e, run);
    expect(moves).toBe(0);
    expect(done.steps.find((s) => s.key === step.key)!.status).toBe('done');
    // Three moves in a row: the verb gives up, and nothing of it is saved.
    moves = 3;
    const before = await e.runs.getRun(run.id);
    const err = await completeActive(e, before).then(
      () => null,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'run_changed' });
    expect((await e.runs.getRun(run.id)).version).toBe(before.version);
  });

  it('when two processes on one database file complete the same step, then exactly one wins', async () => {
    const path = tempDbPath('two-engines');
    const a = await engine({ path });
    const b = await engine({ path, clock: a.clock });
    await a.roles.setRole(await a.as(ADMIN), 'Ghabs', ['UONE', 'UTWO']);
    const run = await start(a, 'feature');
    const results = await Promise.allSettled([
      a.runs.completeStep(run.id, await a.as('UONE'), { stepKey: 'vision_scope', output: 'one' }),
      b.runs.completeStep(run.id, await b.as('UTWO'), { stepKey: 'vision_scope', output: 'two' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason).toMatchObject({
      code: 'step_not_active',
    });
    expect((await b.runs.getRun(run.id)).steps[1]!.status).toBe('active');
  });
});
