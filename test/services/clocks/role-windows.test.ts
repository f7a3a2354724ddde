// A role's own clocks (roles.yml `windows`): an agent role with a 10-minute acknowledgement
// window is reminded and escalated on that schedule, and its escalation goes to the people on
// its escalation path; roles without windows keep the chain's clocks.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ROLES_FILE, parseRoleDirectory } from '../../../routing/roles.ts';
import { stepWindows } from '../../../src/services/clocks/deadline-policy.ts';
import { userFor } from '../../support/engine.ts';
import { type ClockEngine, createClockEngine, HOUR, MIN } from './clock-engine.ts';

/** The default roles, Atlas (held by an agent) with its own windows. */
function directoryWithWindows() {
  const yml = readFileSync(DEFAULT_ROLES_FILE, 'utf8').replace(
    'Atlas:         { title: CTO, holders: [], escalation: { exec: Ghabs } }',
    'Atlas:         { title: CTO, holders: [], escalation: { exec: Ghabs }, windows: { acknowledge: PT10M, complete: PT1H } }',
  );
  expect(yml).toContain('PT10M');
  return parseRoleDirectory(yml, 'roles.yml');
}

let e: ClockEngine;
afterEach(() => e?.close());

describe('role-level windows', () => {
  it('an agent role with a 10-minute acknowledgement window is reminded, then escalated to Ghabs, on that schedule', async () => {
    e = await createClockEngine({ directory: directoryWithWindows() });
    const { run } = await e.runs.startRun({
      chain: 'feature',
      title: 'Dark mode',
      text: 'x',
      requester: 'UREQ',
    });
    // Ghabs (no windows): the chain's 12-hour acknowledgement clock.
    const vision = e.timers(run.id).filter((t) => t.kind === 'ack_reminder');
    expect(vision.map((t) => t.dueAt - e.clock.now())).toEqual([10 * HOUR]);
    await e.runs.completeStep(run.id, await e.as(userFor('Ghabs')), { output: 'go' });
    const start = e.clock.now();
    const atlas = e.timers(run.id).filter((t) => t.status === 'pending');
    const due = (kind: string) => atlas.filter((t) => t.kind === kind).map((t) => t.dueAt - start);
    expect(due('ack_reminder')).toEqual([Math.round((10 * MIN * 10) / 12)]);
    expect(due('ack_due')).toEqual([10 * MIN]);
    expect(due('ack_escalation')).toEqual([Math.round((10 * MIN * 14) / 12)]);
    expect(due('done_due')).toEqual([HOUR]);
    expect(due('done_escalation')).toEqual([75 * MIN, 105 * MIN]);

    e.clock.advance(9 * MIN);
    await e.scheduler.tick();
    const reminders = e.notices(['reminder']).filter((r) => r.kind === 'thread');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.notice.stepKey).toBe('technical_feasibility');
    expect(e.notices(['escalation'])).toHaveLength(0);

    e.clock.advance(3 * MIN);
    await e.scheduler.tick();
    const escalations = e.notices(['escalation']).filter((r) => r.kind === 'thread');
    expect(escalations).toHaveLength(1);
    const to = escalations[0]!.notice.escalatedTo as { role: string; principals: string[] }[];
    expect(to.map((x) => x.role)).toEqual(['Ghabs']);
    expect(to[0]!.principals).toEqual([userFor('Ghabs')]);
  });

  it('a step takes windows only when each owner role gives them (the longest)', () => {
    const w = { A: { acknowledge: 'PT10M' }, B: { acknowledge: 'PT30M', complete: 'PT2H' } } as Record<
      string,
      { acknowledge?: string; complete?: string }
    >;
    const of = (r: string) => w[r] ?? null;
    expect(stepWindows(['A'], of)).toEqual({ ackMs: 10 * MIN });
    expect(stepWindows(['A', 'B'], of)).toEqual({ ackMs: 30 * MIN });
    expect(stepWindows(['A', 'C'], of)).toBeNull();
  });

  it('roles.yml refuses a window that is not minutes or hours', () => {
    const yml = readFileSync(DEFAULT_ROLES_FILE, 'utf8').replace(
      'Atlas:         { title: CTO, holders: [], escalation: { exec: Ghabs } }',
      'Atlas:         { title: CTO, holders: [], escalation: { exec: Ghabs }, windows: { acknowledge: 10m } }',
    );
    expect(() => parseRoleDirectory(yml, 'roles.yml')).toThrow(/windows\.acknowledge/);
  });
});
