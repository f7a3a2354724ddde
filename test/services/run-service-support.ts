// Shared by the run service tests: engines closed after each test, a run started by the
// requester, the active step completed by its holders, a refusal caught.

import { expect } from 'vitest';
import { liveChild } from '../../src/domain/links.ts';
import type { Run } from '../../src/domain/types.ts';
import { RefusedError } from '../../src/errors.ts';
import { createTestEngine, type TestEngine, userFor } from '../support/engine.ts';

let engines: TestEngine[] = [];

/** Close the engines a test opened (afterEach). */
export async function closeEngines() {
  for (const e of engines) await e.close();
  engines = [];
}

export async function engine(opts: Parameters<typeof createTestEngine>[0] = {}) {
  const e = await createTestEngine(opts);
  engines.push(e);
  return e;
}

export const REQ = 'UREQUESTER';
export const active = (run: Run) => run.steps.find((s) => s.status === 'active' || s.status === 'blocked')!;

export async function start(
  e: TestEngine,
  chain: string,
  extra: Partial<Parameters<TestEngine['runs']['startRun']>[0]> = {},
) {
  const { run } = await e.runs.startRun({
    chain,
    title: `A ${chain} request`,
    text: 'details',
    requester: REQ,
    channelId: 'C1',
    ...extra,
  });
  return run;
}

/** Complete the active step by each of its pending roles' holder. */
export async function completeActive(e: TestEngine, run: Run, output = 'done'): Promise<Run> {
  const step = active(run);
  // A step handed to a linked run is done when that run is: walk it to its end.
  const child = liveChild(run, step.key);
  if (child) {
    let c = await e.runs.getRun(child.runId);
    while (c.status === 'active') c = await completeActive(e, c, output);
    return e.runs.getRun(run.id);
  }
  let r = run;
  for (const role of [...step.owners, ...step.approvers]) {
    const who = role === 'Requester' ? REQ : userFor(role);
    r = await e.runs.completeStep(r.id, await e.as(who), { stepKey: step.key, output: `${role}: ${output}` });
    // A step any one owner delivers is done after the first.
    if (r.steps[step.idx]?.status !== 'active') break;
  }
  return r;
}

export async function refusal(p: Promise<unknown>): Promise<RefusedError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RefusedError);
  return err as RefusedError;
}

export async function eventsOf(e: TestEngine, runId: string) {
  return e.store.read.events.forRun(runId);
}
