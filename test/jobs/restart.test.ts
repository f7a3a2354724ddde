import { describe, expect, it } from 'vitest';
import { createClockEngine, DAY, HOUR } from '../services/clocks/clock-engine.ts';
import { TestClock, tempDbPath } from '../support/engine.ts';

describe('restarts: timers live in the database', () => {
  it('when the bot restarts 30 hours ahead of an untouched step, then the reminder and the escalation go out once, and a second restart sends nothing', async () => {
    const path = tempDbPath('restart');
    const clock = new TestClock();
    const a = await createClockEngine({ path, clock });
    const { run } = await a.runs.startRun({
      chain: 'feature',
      title: 'Dark mode',
      text: 'x',
      requester: 'UREQ',
    });
    await a.close();

    clock.advance(30 * HOUR);
    const b = await createClockEngine({ path, clock, worker: 'b' });
    const fired = await b.scheduler.start();
    await b.scheduler.stop();
    expect(fired.map((f) => [f.kind, f.late])).toEqual([
      ['ack_reminder', true],
      ['ack_due', true],
      ['ack_escalation', true],
    ]);
    expect(fired[0]!.lateByMs).toBe(20 * HOUR);
    // Nobody is above @Ghabs: the escalation ends with the admin, told directly too.
    expect(b.notices().map((n) => `${n.kind}:${n.notice.type}`)).toEqual([
      'thread:reminder',
      'thread:escalation',
      'dm:escalation',
    ]);
    const events = await b.events(run.id);
    expect(events.map((e) => [e.data.kind, e.data.late, e.data.lateByMs])).toEqual([
      ['ack_reminder', true, 20 * HOUR],
      ['ack_due', true, 18 * HOUR],
      ['ack_escalation', true, 16 * HOUR],
    ]);
    await b.close();

    clock.advance(HOUR);
    const c = await createClockEngine({ path, clock, worker: 'c' });
    expect(await c.scheduler.start()).toEqual([]);
    await c.scheduler.stop();
    expect(c.notices()).toHaveLength(3);
    await c.close();
  });

  it('when the bot stops between two deadlines, then the one that passed catches up once and the next fires on time', async () => {
    const path = tempDbPath('middle');
    const clock = new TestClock();
    const a = await createClockEngine({ path, clock });
    await a.runs.startRun({ chain: 'feature', title: 'X', text: 'x', requester: 'UREQ' });
    clock.advance(10 * HOUR);
    expect((await a.scheduler.tick()).map((f) => [f.kind, f.late])).toEqual([['ack_reminder', false]]);
    await a.close();

    clock.advance(3 * HOUR); // down from hour 10 to hour 13: the 12 h deadline passed meanwhile
    const b = await createClockEngine({ path, clock, worker: 'b' });
    expect((await b.scheduler.start()).map((f) => [f.kind, f.late])).toEqual([['ack_due', true]]);
    clock.advance(HOUR);
    expect((await b.scheduler.tick()).map((f) => [f.kind, f.late])).toEqual([['ack_escalation', false]]);
    clock.advance(DAY);
    expect(await b.scheduler.tick()).toEqual([]);
    await b.scheduler.stop();
    await b.close();
  });
});
