import { describe, expect, it } from 'vitest';
import { liveChild } from '../../../src/domain/links.ts';
import { gdprClockOf } from '../../../src/services/clocks/gdpr-clock.ts';
import { userFor } from '../../support/engine.ts';
import { createClockEngine, HOUR, toBreachAssessment } from './clock-engine.ts';

describe('GDPR Art. 33: the 72-hour notification clock', () => {
  it('when Privacy records exposed user data, then Privacy and Ghabs are reminded at 24, 48, 60 and 70 h, and at 72 h the clock is overdue', async () => {
    const e = await createClockEngine();
    const r = await toBreachAssessment(e);
    const start = e.clock.ms;
    const after = await e.runs.completeStep(r.id, await e.as(userFor('Privacy')), {
      output: 'emails exposed',
      facts: { userDataExposed: true },
    });
    expect(gdprClockOf(after, e.clock.ms)).toMatchObject({ running: true });
    const saved = await e.runs.getRun(r.id);
    expect(gdprClockOf(saved, start)).toMatchObject({
      running: true,
      remainingMs: 72 * HOUR,
      deadlineAt: start + 72 * HOUR,
    });
    expect(e.notices(['gdpr']).map((n) => n.notice.mark)).toEqual(['started']);

    const marks: string[] = [];
    for (const hour of [24, 48, 60, 70, 72]) {
      e.clock.ms = start + hour * HOUR;
      const fired = await e.scheduler.tick();
      marks.push(...fired.filter((f) => f.kind === 'gdpr').map(() => `${hour}h`));
    }
    expect(marks).toEqual(['24h', '48h', '60h', '70h', '72h']);
    const reminders = e.notices(['gdpr']).filter((n) => n.notice.mark !== 'started');
    expect(reminders.filter((n) => n.kind === 'thread').map((n) => n.notice.mark)).toEqual([
      '24h',
      '48h',
      '60h',
      '70h',
      '72h',
    ]);
    expect(new Set(reminders.filter((n) => n.kind === 'dm').map((n) => n.channelId))).toEqual(
      new Set(['UPRIVACY', 'UGHABS']),
    );
    expect(reminders.find((n) => n.notice.mark === '70h')!.notice.remainingMs).toBe(2 * HOUR);
    expect(gdprClockOf(await e.runs.getRun(r.id), e.clock.ms)).toMatchObject({
      running: true,
      overdue: true,
    });

    // Overdue: a daily reminder until Privacy records the notification.
    e.clock.ms = start + 96 * HOUR;
    // (The Bug Fix its Permanent Fix runs as keeps its own clocks.)
    expect((await e.scheduler.tick()).filter((f) => f.runId === r.id).map((f) => f.kind)).toEqual(['gdpr']);
    await expect(e.clocks.recordGdprNotification(r.id, await e.as(userFor('Atlas')))).rejects.toMatchObject({
      code: 'not_privacy',
    });
    const result = await e.clocks.recordGdprNotification(r.id, await e.as(userFor('Privacy')));
    expect(result).toMatchObject({ withinDeadline: false, notifiedAt: start + 96 * HOUR });
    e.clock.ms = start + 200 * HOUR;
    expect((await e.scheduler.tick()).filter((f) => f.runId === r.id)).toEqual([]);
    expect(gdprClockOf(await e.runs.getRun(r.id), e.clock.ms)).toMatchObject({
      running: false,
      notifiedAt: start + 96 * HOUR,
    });
    await expect(e.clocks.recordGdprNotification(r.id, await e.as(userFor('Privacy')))).rejects.toMatchObject(
      {
        code: 'gdpr_clock_stopped',
      },
    );
  });

  it('when the incident closes before the notification, then the clock keeps running; recording it in time stops the reminders', async () => {
    const e = await createClockEngine();
    const r = await toBreachAssessment(e);
    const start = e.clock.ms;
    let run = await e.runs.completeStep(r.id, await e.as(userFor('Privacy')), {
      output: 'exposed',
      facts: { userDataExposed: true },
    });
    while (run.status === 'active') {
      const step = run.steps.find((s) => s.status === 'active')!;
      // Permanent Fix runs as a linked Bug Fix: its owners finish that, and the incident goes on.
      const child = liveChild(run, step.key);
      if (child) {
        let bug = await e.runs.getRun(child.runId);
        while (bug.status === 'active') {
          const s = bug.steps.find((x) => x.status === 'active')!;
          for (const role of s.owners)
            bug = await e.runs.completeStep(bug.id, await e.as(userFor(role)), { output: 'ok' });
        }
        run = await e.runs.getRun(run.id);
        continue;
      }
      for (const role of step.owners)
        run = await e.runs.completeStep(run.id, await e.as(userFor(role)), { output: 'ok' });
    }
    expect(run.status).toBe('done');
    e.clock.ms = start + 24 * HOUR;
    expect(
      (await e.scheduler.tick()).filter((f) => f.runId === r.id).map((f) => [f.kind, f.skipped]),
    ).toEqual([['gdpr', null]]);
    e.clock.ms = start + 30 * HOUR;
    expect(await e.clocks.recordGdprNotification(r.id, await e.as(userFor('Privacy')))).toMatchObject({
      withinDeadline: true,
    });
    e.clock.ms = start + 100 * HOUR;
    expect(await e.scheduler.tick()).toEqual([]);
    const recorded = await e.events(r.id, 'gdpr_notification_recorded');
    expect(recorded).toHaveLength(1);
  });

  it('when no user data was exposed, then no clock starts', async () => {
    const e = await createClockEngine();
    const r = await toBreachAssessment(e);
    await e.runs.completeStep(r.id, await e.as(userFor('Privacy')), {
      output: 'nothing exposed',
      facts: { userDataExposed: false },
    });
    expect(e.timers(r.id).filter((t) => t.kind === 'gdpr')).toEqual([]);
  });
});
