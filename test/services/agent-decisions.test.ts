// A person confirms what an agent decides: on Go/No-Go (the playbook's `confirmAgents`), an
// agent's pass or rejection waits; a person on the role's escalation path confirms (it takes
// effect as the agent's) or overrules it; a person's own decision never waits.
import { afterEach, describe, expect, it } from 'vitest';
import type { Actor, Run } from '../../src/domain/types.ts';
import { ADMIN, createTestEngine, type TestEngine, userFor } from '../support/engine.ts';

let e: TestEngine;
afterEach(() => e?.close());

/** Atlas's agent: the same user, acting as a bot user. */
async function agent(userId: string): Promise<Actor> {
  return { ...(await e.as(userId)), kind: 'slack_bot', label: 'AtlasBot' };
}

/** A minor release walked up to Go/No-Go, every step by its owners as people. */
async function toGoNoGo(): Promise<Run> {
  const { run } = await e.runs.startRun({
    chain: 'release',
    title: 'v2.1',
    text: 'v2.1',
    requester: 'UREQ',
    releaseType: 'minor',
  });
  let r = run;
  for (let i = 0; i < 40; i++) {
    const step = r.steps.find((s) => s.status === 'active')!;
    if (step.key === 'go_no_go') return r;
    const pending = step.owners.filter((o) => !step.deliveries[o]);
    const role = pending[0] ?? step.approvers.find((a) => !step.deliveries[a])!;
    r = await e.runs.completeStep(r.id, await e.as(step.assignees[role]![0]!), { output: 'ok', role });
  }
  throw new Error('no Go/No-Go');
}

describe('agent decisions on gates that need a person', () => {
  it("an agent's rejection waits; Ghabs (Atlas's escalation path) confirms it and the run is rejected as the agent's", async () => {
    e = await createTestEngine();
    const r = await toGoNoGo();
    const bot = await agent(userFor('Atlas'));
    const waiting = await e.runs.rejectRun(r.id, bot, { reason: 'the error rate doubled in staging' });
    expect(waiting.status).toBe('active');
    await expect(e.runs.rejectRun(r.id, bot, { reason: 'again' })).rejects.toMatchObject({
      code: 'decision_pending',
    });
    // Neither the agent, nor someone off the path, may judge it.
    await expect(e.runs.confirmDecision(r.id, bot)).rejects.toMatchObject({ code: 'not_confirmer' });
    await expect(e.runs.confirmDecision(r.id, await e.as(userFor('Scribe')))).rejects.toMatchObject({
      code: 'not_confirmer',
    });
    const done = await e.runs.confirmDecision(r.id, await e.as(userFor('Ghabs')));
    expect(done.status).toBe('rejected');
    const events = await e.store.read.events.forRun(r.id);
    expect(events.map((x) => x.type)).toEqual(
      expect.arrayContaining(['agent_decision_recorded', 'agent_decision_confirmed', 'run_rejected']),
    );
    expect(events.find((x) => x.type === 'run_rejected')?.actor).toBe(userFor('Atlas'));
    expect(events.find((x) => x.type === 'agent_decision_confirmed')?.actor).toBe(userFor('Ghabs'));
  });

  it('an overrule needs a reason and hands the step back; an admin may confirm too', async () => {
    e = await createTestEngine({ sqlite: true });
    const r = await toGoNoGo();
    const bot = await agent(userFor('Atlas'));
    await e.runs.completeStep(r.id, bot, { output: 'Go' });
    await expect(
      e.runs.overruleDecision(r.id, await e.as(userFor('Ghabs')), { reason: ' ' }),
    ).rejects.toMatchObject({
      code: 'reason_required',
    });
    const back = await e.runs.overruleDecision(r.id, await e.as(userFor('Ghabs')), {
      reason: 'wait for the load test',
    });
    expect(back.context.agentDecisions).toEqual({});
    const outbox = e.db.sqlite.prepare('select payload from outbox order by id desc limit 3').all() as {
      payload: string;
    }[];
    const handoff = outbox.map((o) => JSON.parse(o.payload)).find((n) => n.type === 'handoff');
    expect(handoff.notes.join(' ')).toContain('wait for the load test');
    expect(handoff.mentions[0].principals).toEqual([userFor('Atlas')]);
    await e.runs.completeStep(r.id, bot, { output: 'Go, load test green' });
    const after = await e.runs.confirmDecision(r.id, await e.as(ADMIN));
    expect(after.steps.find((s) => s.key === 'go_no_go')?.status).toBe('done');
  });

  it("a person's pass never waits", async () => {
    e = await createTestEngine();
    const r = await toGoNoGo();
    const after = await e.runs.completeStep(r.id, await e.as(userFor('Atlas')), { output: 'Go' });
    expect(after.steps.find((s) => s.key === 'go_no_go')?.status).toBe('done');
  });
});
