// The audit cadence: a quarterly Compliance Review starts once per quarter (two processes, a
// restart that missed the date), never for a quarter dated before the install; an incident that
// exposed user data or was flagged security starts an Incident Audit when it is done.
import { afterEach, describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../../../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../../../routing/roles.ts';
import { linksOf, liveChild } from '../../../src/domain/links.ts';
import type { Run } from '../../../src/domain/types.ts';
import {
  createAuditCadence,
  createIncidentAuditHook,
  quarterOf,
} from '../../../src/services/audits/audit-cadence.ts';
import { createRunService, type RunService } from '../../../src/services/run-service.ts';
import {
  createTestEngine,
  sqliteOf,
  TestClock,
  type TestEngine,
  tempDbPath,
  userFor,
} from '../../support/engine.ts';

const SCHEDULE = '0 9 1 1,4,7,10 *';
const engines: TestEngine[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.close();
});

async function engine(path: string, clock: TestClock) {
  let runs: RunService | null = null;
  const hook = createIncidentAuditHook({ runs: () => runs! });
  const e = await createTestEngine({ path, clock, hooks: [hook] });
  const directory = loadRoleDirectory();
  runs = createRunService({
    store: e.store,
    playbooks: loadPlaybooks({ knownRoles: new Set(directory.names) }),
    directory,
    clock: clock.now,
    hooks: [hook],
  });
  engines.push(e);
  const cadence = createAuditCadence({
    runs,
    clock: clock.now,
    schedule: SCHEDULE,
    timeZone: 'Europe/Paris',
    channel: 'CPRIVACY',
    installedAt: () => e.store.transaction((r) => r.settings.installedAt(clock.now())),
  });
  return { ...e, runs, cadence };
}

const reviews = async (e: TestEngine) =>
  (await e.store.read.runs.list({ chain: 'compliance' })).sort((a, b) => a.seq - b.seq);

describe('quarterly compliance review', () => {
  it('starts once a quarter, across processes and after a restart that missed the date, never before the install', async () => {
    const path = tempDbPath('audit');
    const clock = new TestClock(Date.UTC(2026, 10, 2, 9, 0)); // installed on 2 November 2026
    const a = await engine(path, clock);
    const b = await engine(path, clock);
    expect(await a.cadence.startQuarterly()).toMatchObject({
      started: false,
      reason: 'before_install',
      quarter: '2026-Q4',
    });

    clock.ms = Date.UTC(2027, 0, 1, 8, 0); // 09:00 in Paris on 1 January
    const [x, y] = await Promise.all([a.cadence.startQuarterly(), b.cadence.startQuarterly()]);
    expect([x.started, y.started].sort()).toEqual([false, true]);
    clock.ms += 3 * 24 * 3600_000;
    expect(await b.cadence.startQuarterly()).toMatchObject({ started: false, reason: 'already_started' });
    const [q1] = await reviews(a);
    expect(q1).toMatchObject({
      title: 'Quarterly Compliance Review 2027-Q1',
      auditType: 'quarterly',
      channelId: 'CPRIVACY',
    });

    // Down from March to mid-April: the April review starts once at the restart.
    clock.ms = Date.UTC(2027, 3, 15, 12, 0);
    expect(await a.cadence.startQuarterly()).toMatchObject({ started: true, quarter: '2027-Q2' });
    expect(await b.cadence.startQuarterly()).toMatchObject({ started: false, reason: 'already_started' });
    expect((await reviews(a)).map((r) => r.title)).toEqual([
      'Quarterly Compliance Review 2027-Q1',
      'Quarterly Compliance Review 2027-Q2',
    ]);
  });

  it('names quarters in the work time zone', () => {
    expect(quarterOf(Date.UTC(2026, 11, 31, 23, 30), 'Europe/Paris')).toBe('2027-Q1');
    expect(quarterOf(Date.UTC(2026, 11, 31, 23, 30), 'UTC')).toBe('2026-Q4');
  });
});

describe('incident audit', () => {
  async function walk(e: Awaited<ReturnType<typeof engine>>, run: Run, exposed: boolean): Promise<Run> {
    let r = run;
    for (let guard = 0; r.status === 'active' && guard < 40; guard++) {
      const step = r.steps.find((s) => s.status === 'active')!;
      // Permanent Fix runs as a linked Bug Fix: walk it, and the incident goes on.
      const child = liveChild(r, step.key);
      if (child) {
        await walk(e, await e.runs.getRun(child.runId), false);
        r = await e.runs.getRun(r.id);
        continue;
      }
      const role =
        step.owners.find((o) => !step.deliveries[o]) ?? step.approvers.find((o) => !step.deliveries[o])!;
      r = await e.runs.completeStep(r.id, await e.as(userFor(role)), {
        output: 'ok',
        role,
        ...(step.key === 'breach_assessment' ? { facts: { userDataExposed: exposed } } : {}),
      });
    }
    return r;
  }

  it('starts when an incident flagged security is done, linked both ways; not for a plain incident', async () => {
    const e = await engine(tempDbPath('audit'), new TestClock());
    const start = (flags: ('security' | 'user_data')[]) =>
      e.runs.startRun({
        chain: 'incident',
        title: 'Token leak',
        text: 'x',
        requester: 'UOPS',
        severity: 'sev2',
        flags,
        projects: ['web'],
      });
    const secure = await walk(e, (await start(['security'])).run, false);
    expect(secure.status).toBe('done');
    const plain = await walk(e, (await start([])).run, false);
    expect(plain.status).toBe('done');
    const audits = await reviews(e);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      auditType: 'incident',
      projects: ['web'],
      context: { startedBy: { runId: secure.id } },
    });
    const linked = sqliteOf(e.store)
      .prepare("select payload from outbox where run_id = ? and payload like '%run_linked%'")
      .all(secure.id) as { payload: string }[];
    // Its Permanent Fix's Bug Fix, then the audit.
    expect(linked.map((l) => JSON.parse(l.payload))).toEqual([
      expect.objectContaining({ type: 'run_linked', relation: 'step' }),
      expect.objectContaining({
        type: 'run_linked',
        linkedRunId: audits[0]!.id,
        reason: 'it was flagged security',
        relation: 'audit',
      }),
    ]);
    expect(linksOf(await e.runs.getRun(secure.id))).toContainEqual(
      expect.objectContaining({ relation: 'audit', runId: audits[0]!.id, status: 'active' }),
    );
    expect(linksOf(audits[0]!)).toEqual([
      expect.objectContaining({ relation: 'audit_of', runId: secure.id }),
    ]);
  });
});
