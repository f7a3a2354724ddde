import { describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../../../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../../../routing/roles.ts';
import { businessDayAt } from '../../../src/services/clocks/business-time.ts';
import { planStepTimers } from '../../../src/services/clocks/deadline-policy.ts';
import { DAY, HOUR, MIN } from './clock-engine.ts';

const directory = loadRoleDirectory();
const playbooks = loadPlaybooks({ knownRoles: new Set(directory.names) });
const pb = (id: string) => playbooks.find((p) => p.id === id)!;
// Monday 2 November 2026, 09:00 UTC.
const START = Date.UTC(2026, 10, 2, 9, 0);

function offsets(chain: string, severity: string | null, stepKey: string, tz = 'UTC', start = START) {
  const timers = planStepTimers(
    {
      playbook: pb(chain),
      run: { severity: severity as never },
      step: { key: stepKey, acknowledgedAt: null },
      start,
    },
    { workTimeZone: tz },
  );
  const at = (kind: string) => timers.filter((t) => t.kind === kind).map((t) => t.dueAt - start);
  return {
    remind: at('ack_reminder'),
    due: at('ack_due'),
    escalate: at('ack_escalation'),
    doneRemind: at('done_reminder'),
    doneEscalate: at('done_escalation'),
  };
}

describe('deadline policy: reminder and escalation per severity', () => {
  it.each([
    [
      'feature, no severity (seed 000)',
      'feature',
      null,
      'architecture_design',
      10 * HOUR,
      12 * HOUR,
      14 * HOUR,
    ],
    ['bug Critical: immediate', 'bug', 'critical', 'fix', 5 * MIN, 10 * MIN, 15 * MIN],
    ['bug High: < 24 h', 'bug', 'high', 'fix', 20 * HOUR, 24 * HOUR, 28 * HOUR],
    ['incident SEV1: immediate', 'incident', 'sev1', 'mitigate', 5 * MIN, 10 * MIN, 15 * MIN],
    ['incident SEV2: < 1 h', 'incident', 'sev2', 'mitigate', 50 * MIN, HOUR, 70 * MIN],
    ['incident SEV1 on a standard step', 'incident', 'sev1', 'document', 10 * HOUR, 12 * HOUR, 14 * HOUR],
  ])('%s', (_name, chain, severity, step, remind, due, escalate) => {
    const o = offsets(chain, severity, step);
    expect(o.remind).toEqual([remind]);
    expect(o.due).toEqual([due]);
    expect(o.escalate).toEqual([escalate]);
  });

  it('SEV3 (next business day): a Friday evening step is reminded Monday 09:00 and escalated Tuesday 11:00, work time zone', () => {
    const friday = Date.UTC(2026, 10, 6, 17, 30); // 18:30 in Paris
    const o = offsets('incident', 'sev3', 'mitigate', 'Europe/Paris', friday);
    expect(new Date(friday + o.remind[0]!).toISOString()).toBe('2026-11-09T08:00:00.000Z');
    expect(new Date(friday + o.due[0]!).toISOString()).toBe('2026-11-09T16:00:00.000Z');
    expect(new Date(friday + o.escalate[0]!).toISOString()).toBe('2026-11-10T10:00:00.000Z');
  });

  it('Medium (next sprint) and Low (backlog): long horizons, the backlog never escalates', () => {
    const medium = offsets('bug', 'medium', 'fix');
    expect(medium.doneRemind[0]).toBeGreaterThan(7 * DAY);
    expect(medium.doneEscalate.length).toBe(2);
    const low = offsets('bug', 'low', 'fix');
    expect(low.escalate).toEqual([]);
    expect(low.doneEscalate).toEqual([]);
    expect(low.remind[0]).toBe(businessDayAt(START, 5, 9, 'UTC') - START);
  });

  it('business days keep local time across a daylight-saving change', () => {
    // Friday 27 March 2026 in Paris (UTC+1); Monday 30 March is UTC+2.
    expect(new Date(businessDayAt(Date.UTC(2026, 2, 27, 12), 1, 9, 'Europe/Paris')).toISOString()).toBe(
      '2026-03-30T07:00:00.000Z',
    );
  });
});
