// Domain values the contract tests store, built whole (every field set) so a round trip shows
// what a backend drops or changes. Times are fixed: no test reads the wall clock.
import { afterEach, beforeEach } from 'vitest';
import type { Notice } from '../../../src/domain/notices.ts';
import type { Run, RunEvent, Step } from '../../../src/domain/types.ts';
import { emptyDigestNotice } from '../../support/digest-notice.ts';
import type { Backend, NewTimer, OpenedBackend, Store } from './backend.ts';

/** 2026-11-02 09:00 UTC: the suite's "now"; other times are offsets from it. */
export const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A fresh database per test; the getter returns the one opened for the running test. */
export function useBackend(backend: Backend): () => OpenedBackend {
  let current: OpenedBackend | null = null;
  beforeEach(async () => {
    current = await backend.open();
  });
  afterEach(async () => {
    await current?.close();
    current = null;
  });
  return () => {
    if (!current) throw new Error('no backend open outside a test');
    return current;
  };
}

export function makeStep(idx: number, overrides: Partial<Step> = {}): Step {
  return {
    id: null,
    idx,
    key: `step${idx}`,
    title: `Step ${idx}`,
    owners: ['Architect'],
    approvers: [],
    watchers: ['ProjectLead'],
    assignees: { Architect: ['UARCH'] },
    deliveries: {},
    spec: { output: 'a design note', gate: null, collects: [], required: true, manualSkip: false },
    status: 'pending',
    output: null,
    notes: [],
    skipReason: null,
    blockReason: null,
    blockedBy: null,
    blockedByRole: null,
    version: 0,
    startedAt: null,
    acknowledgedAt: null,
    completedAt: null,
    ...overrides,
  };
}

let seqs = 0;

/** A run of `chain` with two steps, the first active; override anything. */
export function makeRun(id: string, overrides: Partial<Run> = {}): Run {
  return {
    id,
    chain: 'feature',
    seq: ++seqs,
    title: `Run ${id}`,
    requestText: 'Please build it',
    requester: 'UREQ',
    channelId: 'C1',
    threadTs: null,
    rootTs: null,
    source: 'slash',
    status: 'active',
    severity: null,
    releaseType: null,
    changeType: null,
    auditType: null,
    flags: [],
    projects: [],
    context: {},
    blockedReason: null,
    version: 0,
    createdAt: T0,
    updatedAt: T0,
    closedAt: null,
    steps: [makeStep(0, { status: 'active', startedAt: T0 }), makeStep(1)],
    ...overrides,
  };
}

/** A closed run: status `status`, created at `createdAt`, closed at `closedAt`, no open step. */
export function makeClosedRun(
  id: string,
  status: 'done' | 'rejected' | 'cancelled',
  createdAt: number,
  closedAt: number,
  overrides: Partial<Run> = {},
): Run {
  return makeRun(id, {
    status,
    createdAt,
    updatedAt: closedAt,
    closedAt,
    steps: [makeStep(0, { status: 'done', startedAt: createdAt, completedAt: closedAt })],
    ...overrides,
  });
}

export async function insertRuns(store: Store, ...runs: Run[]): Promise<Run[]> {
  await store.transaction(async (r) => {
    for (const run of runs) await r.runs.insert(run);
  });
  return runs;
}

/** Schedules timers in a transaction of their own, created at `now`. */
export async function scheduleTimers(store: Store, items: NewTimer[], now = T0): Promise<void> {
  await store.transaction((r) => r.timers.schedule(items, now));
}

/** The step ids the backend gave a run's steps, by index. */
export function stepIds(run: Run): number[] {
  return run.steps.map((s) => {
    if (s.id === null) throw new Error(`step ${s.key} of ${run.id} has no id`);
    return s.id;
  });
}

export function event(runId: string | null, type: string, at: number, data: Record<string, unknown> = {}) {
  return { runId, at, actor: 'UACTOR', type, stepKey: runId ? 'step0' : null, data } satisfies RunEvent;
}

export const rootUpdate = (runId: string): Notice => ({ type: 'root_update', runId });
export const started = (runId: string): Notice => ({ type: 'run_started', runId });
export const cancelled = (runId: string): Notice => ({ type: 'cancelled', runId, by: 'UREQ', reason: null });
export const digest = (title: string): Notice => emptyDigestNotice(title, 0, `# ${title}\n- a\n- b`);
