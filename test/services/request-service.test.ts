// The request service on a real database: a named chain starts at once, a clear free-text request
// is classified and started, an unclear one waits for the requester's pick (remembered as a
// correction); deliveries repeat without a second run; the checks before a form opens refuse
// (and record) whoever may not act.
import { afterEach, describe, expect, it } from 'vitest';
import { createRequestService, type RequestInput } from '../../src/services/request-service.ts';
import { ADMIN, createTestEngine, type TestEngine, userFor } from '../support/engine.ts';

let engines: TestEngine[] = [];
afterEach(async () => {
  for (const e of engines) await e.close();
  engines = [];
});

async function setup() {
  const e = await createTestEngine({ sqlite: true });
  engines.push(e);
  const requests = createRequestService({
    store: e.store,
    runs: e.runs,
    directory: e.directory,
    clock: e.clock.now,
  });
  return { e, requests };
}

const REQ = 'UREQUESTER';
const ask = (over: Partial<RequestInput> = {}): RequestInput => ({
  text: 'something about the thing',
  requester: REQ,
  channelId: 'CASK',
  source: 'slash',
  ...over,
});

function refusedEvents(e: TestEngine) {
  return (
    e.db.sqlite
      .prepare("select run_id, actor, step_key, data from events where type = 'refused' order by id")
      .all() as { run_id: string | null; actor: string; step_key: string | null; data: string }[]
  ).map((r) => ({ runId: r.run_id, actor: r.actor, stepKey: r.step_key, ...JSON.parse(r.data) }));
}

describe('submit', () => {
  it('when the requester names a chain, then that chain starts with the request as its title', async () => {
    const { requests } = await setup();
    const outcome = await requests.submit(
      ask({ text: 'Export invoices as CSV from the web app', chain: 'feature', channelId: 'CFEAT' }),
    );
    expect(outcome).toMatchObject({
      kind: 'started',
      created: true,
      run: { chain: 'feature', requester: REQ },
    });
    if (outcome.kind !== 'started') return;
    expect(outcome.run.id).toBe('FEAT-1');
    expect(outcome.run.context.classification).toBeDefined();
  });

  it('when a clear request is typed, then the classified chain starts', async () => {
    const { requests } = await setup();
    const outcome = await requests.submit(ask({ text: 'Payments are failing for everyone since 10:02' }));
    expect(outcome).toMatchObject({ kind: 'started', run: { chain: 'incident' } });
  });

  it('when the same delivery comes twice, then one run is started and the second answer says so', async () => {
    const { e, requests } = await setup();
    const input = ask({ chain: 'bug', text: 'Checkout crashes', idempotencyKeys: ['event:Ev1'] });
    const first = await requests.submit(input);
    const again = await requests.submit(input);
    expect(first).toMatchObject({ kind: 'started', created: true });
    expect(again).toMatchObject({ kind: 'started', created: false });
    expect(await e.store.read.runs.count()).toBe(1);
  });

  it('when a request is unclear, then it waits for a choice, once per delivery', async () => {
    const { e, requests } = await setup();
    const input = ask({ idempotencyKeys: ['msg:CASK:1.1'] });
    const first = await requests.submit(input);
    expect(first).toMatchObject({ kind: 'ask' });
    if (first.kind !== 'ask') return;
    expect(first.choices.length).toBeGreaterThanOrEqual(2);
    expect(await e.store.read.pending.get(first.pendingId)).toMatchObject({
      requester: REQ,
      resolvedRunId: null,
    });
    expect(await requests.submit(input)).toEqual({ kind: 'duplicate' });
    expect(await e.store.read.runs.count()).toBe(0);
  });

  it.each([
    ['a chain that does not exist', ask({ chain: 'nonsense' }), 'unknown_chain'],
  ])('when it gets %s, then it is refused with %s and nothing starts', async (_what, input, code) => {
    const { e, requests } = await setup();
    await expect(requests.submit(input)).rejects.toMatchObject({ code });
    expect(await e.store.read.runs.count()).toBe(0);
  });

  it('when it gets an empty request, then it asks for a description and nothing starts', async () => {
    const { e, requests } = await setup();
    expect(await requests.submit(ask({ text: '   ' }))).toEqual({ kind: 'describe', chain: null });
    expect(await e.store.read.runs.count()).toBe(0);
  });
});

describe('chooseChain', () => {
  async function pending() {
    const s = await setup();
    const outcome = await s.requests.submit(ask());
    if (outcome.kind !== 'ask') throw new Error('expected a question');
    return { ...s, outcome };
  }

  it('when the requester picks a chain, then it starts once and a different pick is remembered as a correction', async () => {
    const { e, requests, outcome } = await pending();
    const pick = outcome.choices.find((c) => c !== outcome.classification.chain) ?? 'compliance';
    const first = await requests.chooseChain(await e.as(REQ), outcome.pendingId, pick);
    const second = await requests.chooseChain(await e.as(REQ), outcome.pendingId, pick);
    expect(first).toMatchObject({ created: true, run: { chain: pick, requester: REQ, source: 'choice' } });
    expect(second).toEqual({ run: expect.objectContaining({ id: first.run.id }), created: false });
    expect(await e.store.read.corrections.all()).toEqual([
      expect.objectContaining({ text: 'something about the thing', chain: pick, actor: REQ }),
    ]);
    expect(await e.store.read.pending.get(outcome.pendingId)).toMatchObject({ resolvedRunId: first.run.id });
  });

  it('when someone else picks, then it is refused and recorded; an admin may pick for them', async () => {
    const { e, requests, outcome } = await pending();
    await expect(
      requests.chooseChain(await e.as('UOTHER'), outcome.pendingId, 'feature'),
    ).rejects.toMatchObject({
      code: 'not_requester',
      text: ['Only ', { user: REQ }, ' can choose the chain for this request.'],
    });
    expect(refusedEvents(e)).toEqual([
      expect.objectContaining({ actor: 'UOTHER', action: 'choose_chain', code: 'not_requester' }),
    ]);
    const started = await requests.chooseChain(await e.as(ADMIN), outcome.pendingId, 'feature');
    expect(started.run.requester).toBe(REQ);
  });

  it.each([
    ['a request no longer waiting', 999, 'feature', 'pending_not_found'],
    ['a chain that does not exist', 1, 'nonsense', 'unknown_chain'],
  ])('when it is %s, then it is refused and nothing starts', async (_what, id, chain, code) => {
    const { e, requests } = await pending();
    await expect(requests.chooseChain(await e.as(REQ), id, chain)).rejects.toMatchObject({ code });
    expect(await e.store.read.runs.count()).toBe(0);
  });
});

describe('the checks before a form opens', () => {
  async function feature() {
    const s = await setup();
    const { run } = await s.e.runs.startRun({
      chain: 'feature',
      title: 'Dark mode',
      text: 'details',
      requester: REQ,
      channelId: 'C1',
      flags: ['user_data'],
      projects: ['web'],
    });
    return { ...s, run };
  }

  it.each([
    ['the owner', userFor('Ghabs'), null],
    ['an admin', ADMIN, null],
    ['someone else', 'UINTRUDER', 'not_owner'],
  ])('when %s asks to complete the current step, then the answer is %s', async (_who, userId, code) => {
    const { e, requests, run } = await feature();
    const asked = requests.stepAccess(await e.as(userId), run.id, 'vision_scope', 'complete');
    if (code === null) {
      await expect(asked).resolves.toMatchObject({ run: { id: run.id }, step: { key: 'vision_scope' } });
      expect(refusedEvents(e)).toEqual([]);
    } else {
      await expect(asked).rejects.toMatchObject({ code, message: /Only @Ghabs or an admin can complete/ });
      expect(refusedEvents(e)).toEqual([
        expect.objectContaining({
          runId: run.id,
          actor: userId,
          stepKey: 'vision_scope',
          action: 'complete',
          code,
        }),
      ]);
    }
  });

  it('when the run is closed, then even an admin is told so', async () => {
    const { e, requests, run } = await feature();
    await e.runs.cancelRun(run.id, await e.as(REQ), { reason: 'duplicate' });
    await expect(
      requests.stepAccess(await e.as(ADMIN), run.id, 'vision_scope', 'complete'),
    ).rejects.toMatchObject({ code: 'run_closed' });
  });

  it('when a step is not blocked, then lifting its block is refused', async () => {
    const { e, requests, run } = await feature();
    await expect(
      requests.unblockAccess(await e.as(userFor('Ghabs')), run.id, 'vision_scope'),
    ).rejects.toMatchObject({ code: 'step_not_blocked' });
  });

  it('when Privacy blocked the step, then Privacy lifts it, Ghabs only by accepting the risk, and the owner not at all', async () => {
    const { e, requests, run } = await feature();
    let current = run;
    while (current.steps.find((s) => s.status === 'active')?.key !== 'compliance_gate') {
      const step = current.steps.find((s) => s.status === 'active')!;
      for (const role of step.owners) {
        current = await e.runs.completeStep(current.id, await e.as(userFor(role)), { output: 'ok' });
      }
    }
    await e.runs.blockStep(run.id, await e.as(userFor('Privacy')), { reason: 'PII leaves the EU' });
    const access = async (userId: string) =>
      requests.unblockAccess(await e.as(userId), run.id, 'compliance_gate');
    await expect(access(userFor('Privacy'))).resolves.toMatchObject({ riskAcceptance: false });
    await expect(access(userFor('Ghabs'))).resolves.toMatchObject({
      riskAcceptance: true,
      riskAcceptor: 'Ghabs',
    });
    await expect(access(ADMIN)).rejects.toMatchObject({ code: 'independence_rule' });
    expect(refusedEvents(e).at(-1)).toMatchObject({
      actor: ADMIN,
      action: 'unblock',
      code: 'independence_rule',
    });
  });
});

describe('classification helpers', () => {
  it('maps a /lead word to its chain and classifies text without starting anything', async () => {
    const { e, requests } = await setup();
    expect(requests.chainForCommand('change')).toBe('cross_project');
    expect(requests.chainForCommand('Feature')).toBe('feature');
    expect(requests.chainForCommand('status')).toBeNull();
    expect((await requests.classifyText('Payments are failing for everyone since 10:02')).chain).toBe(
      'incident',
    );
    expect(await e.store.read.runs.count()).toBe(0);
  });
});
