// The clocks through Slack: reminders fired by the scheduler land in the run's thread with
// Acknowledge and Snooze; the GDPR Art. 33 clock shows on the root message and reminds Privacy
// and Ghabs until Privacy records the notification (a button or `/lead gdpr RUN notified`);
// `/lead postmortem RUN` posts the draft in the incident's thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveChild } from '../../src/domain/links.ts';
import type { Run } from '../../src/domain/types.ts';
import { createScheduler, type Scheduler } from '../../src/jobs/scheduler.ts';
import { TIMER } from '../../src/services/clocks/timer-kinds.ts';
import { ACTION, BLOCK, encodeStepRef } from '../../src/slack/ids.ts';
import {
  type Harness,
  hasButton,
  mentionsIn,
  newestRun,
  outboxSettled,
  postedRun,
  startHarness,
  threadOf,
  userFor as u,
  until,
} from '../support/app-harness.ts';
import { type FakeMessage, visibleText } from '../support/fake-slack.ts';
import { completeStep, select, type Values } from './walk.ts';

const HOUR = 3_600_000;
const REQUESTER = 'UREQUESTER';

let h: Harness;
let scheduler: Scheduler;
beforeAll(async () => {
  h = await startHarness();
  // The bot's scheduler (src/main.ts), ticked by the tests after moving the clock.
  scheduler = createScheduler({
    store: h.core.store,
    clock: h.clock.now,
    workerId: 'e2e-scheduler',
    directory: h.core.directory,
  });
});
afterAll(() => h.close());

/** Start a run with `/lead <text>` in `channel`; the run once its root message is posted. */
async function startRun(text: string, channelId: string): Promise<Run> {
  const before = (await h.core.store.read.runs.list()).length;
  await h.driver.slashCommand({ text, userId: REQUESTER, channelId });
  await until(async () => (await h.core.store.read.runs.list()).length > before, 'a new run');
  return postedRun(h, (await newestRun(h)).id);
}

/** Each owner (then approver) of the current step presses Done until the run reaches `stepKey`. */
/** `advanceTo(run, END)`: walk the run to its end. */
const END = '';

async function advanceTo(runId: string, stepKey: string, values: Record<string, Values> = {}): Promise<Run> {
  for (;;) {
    const run = await h.core.runs.getRun(runId);
    const step = run.steps.find((s) => s.status === 'active');
    if (!step && run.status === 'done' && stepKey === END) return run;
    if (!step) throw new Error(`${runId} has no active step`);
    if (step.key === stepKey) return run;
    // A step handed to a linked run (Permanent Fix): walk that run to its end.
    const child = liveChild(run, step.key);
    if (child) {
      await advanceTo(child.runId, END);
      await until(
        async () => (await h.core.runs.getRun(runId)).steps[step.idx]?.status === 'done',
        `${runId} ${step.key} done with ${child.runId}`,
      );
      continue;
    }
    const role = [...step.owners, ...step.approvers].find(
      (r) => !step.deliveries[r] && (step.assignees[r] ?? []).length > 0,
    );
    if (!role) throw new Error(`nobody can act on ${runId} ${step.key}`);
    await completeStep(h, run, step.key, step.assignees[role]![0]!, values[step.key] ?? {});
    await until(
      async () => (await h.core.runs.getRun(runId)).version > run.version,
      `${runId} ${step.key} recorded`,
    );
  }
}

/** Move the bot's clock to `at` (never back) and fire what is due. */
async function tickAt(at: number) {
  h.clock.advance(Math.max(0, at - h.clock.now()));
  const fired = await scheduler.tick();
  await outboxSettled(h);
  return fired;
}

const rootText = (run: Run) => visibleText(h.fake.message(run.channelId!, run.rootTs!)!);
const gdprMessages = (run: Run): FakeMessage[] =>
  threadOf(h, run).filter((m) => hasButton(m.blocks, ACTION.gdprNotified, run.id));

async function pressGdprNotified(userId: string, message: FakeMessage) {
  const res = await h.slack.blockAction({
    userId,
    actionId: ACTION.gdprNotified,
    channelId: message.channel,
    messageTs: message.ts,
  });
  expect(res.status).toBe(200);
}

const ephemeralMatching = (userId: string, pattern: RegExp) =>
  h.fake.waitFor((f) => f.ephemerals(userId).find((e) => pattern.test(visibleText(e))), {
    what: `an ephemeral to ${userId} matching ${pattern}`,
  });

/** Incident steps before the breach assessment that collect something. */
const INCIDENT_VALUES: Record<string, Values> = {
  assess_severity: select(BLOCK.severity, 'sev2'),
};

describe('step reminders', () => {
  it('when a step is not acknowledged in time, then the scheduler reminds its owner in the thread with Acknowledge and Snooze; the owner snoozes, others are refused', async () => {
    const run = await startRun('feature Saved filters on the web orders page', 'CCLOCKS');
    const step = run.steps.find((s) => s.key === 'vision_scope')!;
    const timers = await h.core.store.read.clock.pendingForStep(step.id!);
    const reminderAt = timers.find((t) => t.kind === TIMER.ackReminder)!.dueAt;

    expect((await tickAt(reminderAt)).map((f) => f.kind)).toContain(TIMER.ackReminder);
    const ref = encodeStepRef(run.id, 'vision_scope');
    const reminder = await h.fake.waitFor(
      () =>
        threadOf(h, run).find(
          (m) => /Reminder/.test(visibleText(m)) && hasButton(m.blocks, ACTION.stepSnooze),
        ),
      { what: 'the reminder in the thread' },
    );
    expect(mentionsIn(reminder)).toContain(u('Ghabs'));
    expect(hasButton(reminder.blocks, ACTION.stepAck, ref)).toBe(true);
    expect(hasButton(reminder.blocks, ACTION.stepSnooze, ref)).toBe(true);

    const snooze = (userId: string) =>
      h.slack.blockAction({
        userId,
        actionId: ACTION.stepSnooze,
        channelId: reminder.channel,
        messageTs: reminder.ts,
      });
    expect((await snooze(u('Atlas'))).status).toBe(200);
    await ephemeralMatching(u('Atlas'), /Only @Ghabs or an admin can snooze/);
    expect((await snooze(u('Ghabs'))).status).toBe(200);
    await ephemeralMatching(u('Ghabs'), /Snoozed for 1h/);

    const reminders = () => threadOf(h, run).filter((m) => /Reminder/.test(visibleText(m))).length;
    const snoozedAt = h.clock.now();
    await tickAt(snoozedAt + 50 * 60_000);
    expect(reminders()).toBe(1);
    await tickAt(snoozedAt + HOUR + 60_000);
    expect(reminders()).toBe(2);
  });
});

describe('the GDPR Art. 33 clock', () => {
  it('when the breach assessment records exposed user data, then the root shows the deadline and Privacy and Ghabs are reminded at 24 h until Privacy records the notification', async () => {
    const started = await startRun('incident Customer invoices visible to other customers', 'CGDPR');
    const run = await advanceTo(started.id, 'breach_assessment', INCIDENT_VALUES);
    await completeStep(h, run, 'breach_assessment', u('Privacy'), select(BLOCK.userDataExposed, 'yes'));
    const clock = await until(async () => {
      const r = await h.core.runs.getRun(run.id);
      return r.context.gdprClock as { startedAt: number; deadlineAt: number } | undefined;
    }, 'the GDPR clock started');
    expect(clock.deadlineAt - clock.startedAt).toBe(72 * HOUR);
    const deadline = `<!date^${Math.floor(clock.deadlineAt / 1000)}^`;
    await outboxSettled(h);
    await until(async () => rootText(run).includes(deadline), 'the deadline on the root message');
    expect(gdprMessages(run)).toHaveLength(1); // the clock started

    await tickAt(clock.startedAt + 24 * HOUR);
    const reminder = await h.fake.waitFor(
      () => gdprMessages(run).find((m) => /left to notify the supervisory authority/.test(visibleText(m))),
      { what: 'the 24 h GDPR reminder' },
    );
    expect(mentionsIn(reminder)).toEqual(expect.arrayContaining([u('Privacy'), u('Ghabs')]));

    await pressGdprNotified(u('Ghabs'), reminder);
    await ephemeralMatching(u('Ghabs'), /Only @Privacy can record the GDPR notification/);
    expect(
      ((await h.core.runs.getRun(run.id)).context.gdprClock as { notifiedAt?: number }).notifiedAt,
    ).toBeFalsy();

    await pressGdprNotified(u('Privacy'), reminder);
    await ephemeralMatching(u('Privacy'), /Recorded: the supervisory authority was notified/);
    const notified = await until(async () => {
      const c = (await h.core.runs.getRun(run.id)).context.gdprClock as { notifiedBy?: string };
      return c.notifiedBy;
    }, 'the notification recorded');
    expect(notified).toBe(u('Privacy'));
    await outboxSettled(h);
    await until(async () => !rootText(run).includes(deadline), 'the deadline gone from the root message');
    expect(threadOf(h, run).some((m) => /GDPR notification recorded/.test(visibleText(m)))).toBe(true);

    const gdprBefore = gdprMessages(run).length;
    const fired = await tickAt(clock.startedAt + 80 * HOUR);
    expect(fired.filter((f) => f.runId === run.id && f.kind === TIMER.gdpr && !f.skipped)).toEqual([]);
    expect(gdprMessages(run)).toHaveLength(gdprBefore);
  });

  it('when Privacy types /lead gdpr RUN notified, then it is recorded once; others are refused; /lead postmortem posts the draft in the thread', async () => {
    const started = await startRun('incident Export job mailed reports to the wrong tenants', 'CPOSTMORTEM');
    const run = await advanceTo(started.id, 'breach_assessment', INCIDENT_VALUES);
    await completeStep(h, run, 'breach_assessment', u('Privacy'), select(BLOCK.userDataExposed, 'yes'));
    await until(async () => (await h.core.runs.getRun(run.id)).context.gdprClock, 'the GDPR clock started');

    const lead = (text: string, userId: string) =>
      h.driver.slashCommand({ text, userId, channelId: 'CPOSTMORTEM' });
    await lead(`gdpr ${run.id} notified`, u('Ghabs'));
    await ephemeralMatching(u('Ghabs'), /Only @Privacy can record/);
    await lead(`gdpr ${run.id.toLowerCase()} notified`, u('Privacy'));
    await ephemeralMatching(
      u('Privacy'),
      /Recorded: the supervisory authority was notified.*within the 72 hours/,
    );
    await lead(`gdpr ${run.id} notified`, u('Privacy'));
    await ephemeralMatching(u('Privacy'), /already recorded/);

    await advanceTo(run.id, 'post_mortem');
    await lead(`postmortem ${run.id}`, u('Atlas'));
    await ephemeralMatching(
      u('Atlas'),
      new RegExp(`post-mortem draft for ${run.id} is posted in its thread`),
    );
    const draft = await h.fake.waitFor(
      () => threadOf(h, run).find((m) => visibleText(m).includes(`Post-mortem draft: ${run.id}`)),
      { what: 'the draft in the thread' },
    );
    const text = visibleText(draft);
    for (const part of [
      'SEV2',
      'Timeline',
      'Root cause',
      'Mitigation',
      'Permanent fix',
      'GDPR notification recorded',
    ])
      expect(text).toContain(part);
    // The step outputs fill the draft.
    expect(text).toMatch(/Root cause\*\n.*diagnose by U/);
    expect(text).toMatch(/Mitigation\*\nmitigate by UOPSCOMMANDER/);
    // Permanent Fix ran as a linked Bug Fix: its output says so.
    expect(text).toMatch(/Permanent fix\*\nBUG-\d+ is done: document by U/);

    // Each follow-up can become a run of its own, linked to the incident and tracked on its root.
    const offer = (draft.blocks ?? []).findIndex((b) => JSON.stringify(b).includes('Update the runbook'));
    expect(offer).toBeGreaterThan(0);
    // The button the draft offers for that follow-up, pressed as Slack sends it.
    const button = (draft.blocks ?? [])
      .flatMap((b) => (b as { elements?: { action_id?: string; value?: string }[] }).elements ?? [])
      .find((e) => e.action_id === ACTION.followUpFeature && e.value?.includes('Update the runbook'));
    expect(button?.value).toBeDefined();
    const pressed = await h.slack.blockAction({
      userId: u('Atlas'),
      actionId: ACTION.followUpFeature,
      channelId: draft.channel,
      messageTs: draft.ts,
      value: button!.value!,
    });
    expect(pressed.status).toBe(200);
    const followUp = await until(
      async () =>
        (await h.core.store.read.runs.list({ chain: 'feature' })).find((r) => r.source === 'follow_up') ??
        null,
      'the follow-up run',
    );
    expect(followUp.title).toBe('Update the runbook (@Scribe)');
    await outboxSettled(h);
    await until(
      async () =>
        threadOf(h, run).some(
          (m) => visibleText(m).includes(`Follow-up`) && visibleText(m).includes(followUp.id),
        ),
      'the follow-up linked in the incident thread',
    );
    await until(
      async () => rootText(await h.core.runs.getRun(run.id)).includes('Follow-ups (1 of 1 open)'),
      'the root lists it',
    );

    await lead('postmortem FEAT-1', u('Atlas'));
    await ephemeralMatching(u('Atlas'), /FEAT-1 is not an incident|There is no run FEAT-1/);
  });
});
