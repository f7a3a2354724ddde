import { describe, expect, it } from 'vitest';
import { userFor } from '../../support/engine.ts';
import { createClockEngine, HOUR, MIN } from './clock-engine.ts';

describe('snoozeStep', () => {
  it('when the owner snoozes before the reminder, then the reminder moves and the escalation does not', async () => {
    const e = await createClockEngine();
    const { run } = await e.runs.startRun({
      chain: 'incident',
      title: 'Slow API',
      text: 'x',
      requester: 'UOPS',
      severity: 'sev2',
    });
    // Detect is a severity step: SEV2 reminds at 50 min, escalates at 70 min.
    const result = await e.clocks.snoozeStep(run.id, await e.as(userFor('OpsCommander')), 'detect', 60);
    expect(result.until).toBe(e.clock.ms + HOUR);
    e.clock.advance(50 * MIN);
    expect(await e.scheduler.tick()).toEqual([]);
    e.clock.advance(10 * MIN);
    expect((await e.scheduler.tick()).map((f) => f.kind)).toEqual(['ack_reminder', 'ack_due']);
    e.clock.advance(10 * MIN);
    expect((await e.scheduler.tick()).map((f) => f.kind)).toEqual(['ack_escalation']);
    expect(e.notices(['escalation'])[0]!.notice.escalatedTo).toMatchObject([
      { role: 'Atlas', tier: 'direct' },
    ]);
  });

  it('when the reminder already went out, then a snooze sets a new one', async () => {
    const e = await createClockEngine();
    const { run } = await e.runs.startRun({ chain: 'feature', title: 'X', text: 'x', requester: 'UREQ' });
    e.clock.advance(10 * HOUR);
    await e.scheduler.tick();
    await e.clocks.snoozeStep(run.id, await e.as(userFor('Ghabs')), 'vision_scope', 30);
    e.clock.advance(30 * MIN);
    expect((await e.scheduler.tick()).map((f) => f.kind)).toEqual(['ack_reminder']);
    expect(e.notices(['reminder'])).toHaveLength(2);
    expect(await e.events(run.id, 'step_snoozed')).toHaveLength(1);
  });

  it('when someone else snoozes, then it is refused and recorded', async () => {
    const e = await createClockEngine();
    const { run } = await e.runs.startRun({ chain: 'feature', title: 'X', text: 'x', requester: 'UREQ' });
    await expect(
      e.clocks.snoozeStep(run.id, await e.as(userFor('Atlas')), 'vision_scope', 30),
    ).rejects.toMatchObject({
      code: 'not_owner',
    });
    await expect(
      e.clocks.snoozeStep(run.id, await e.as(userFor('Ghabs')), 'vision_scope', 1),
    ).rejects.toMatchObject({
      code: 'bad_snooze',
    });
    expect(await e.events(run.id, 'refused')).toHaveLength(1);
  });
});
