// Walking a run through Slack payloads only: press a step's button in its handoff message, fill
// the modal, submit; read the thread back (who was mentioned at each handoff, in order).
import { expect } from 'vitest';
import { linksOf } from '../../src/domain/links.ts';
import type { Run } from '../../src/domain/types.ts';
import { ACTION, BLOCK, CALLBACK, encodeStepRef, parseStepRef } from '../../src/slack/ids.ts';
import { type Harness, handoffFor, mentionsIn, postedRun, threadOf, until } from '../support/app-harness.ts';
import type { FakeView, Json } from '../support/fake-slack.ts';
import { selectedOption, textInput } from '../support/slack-driver.ts';

export type Values = Record<string, Record<string, Json>>;

export const output = (text: string): Values => ({ [BLOCK.output]: { [BLOCK.output]: textInput(text) } });
export const select = (block: string, value: string): Values => ({
  [block]: { [block]: selectedOption(value) },
});
export const multiSelect = (block: string, values: string[]): Values => ({
  [block]: { [block]: { type: 'multi_static_select', selected_options: values.map((value) => ({ value })) } },
});
export const reason = (text: string): Values => ({ [BLOCK.reason]: { [BLOCK.reason]: textInput(text) } });

/** Press a button of the step's latest handoff (or blocked) message as `userId`. */
export async function press(h: Harness, run: Run, stepKey: string, actionId: string, userId: string) {
  const ref = encodeStepRef(run.id, stepKey);
  const message = await h.fake.waitFor(
    () =>
      threadOf(h, run)
        .filter(
          (m) =>
            JSON.stringify(m.blocks ?? []).includes(`"action_id":"${actionId}"`) &&
            JSON.stringify(m.blocks).includes(ref),
        )
        .at(-1),
    { what: `a ${actionId} button for ${ref}` },
  );
  const res = await h.slack.blockAction({
    userId,
    actionId,
    channelId: message.channel,
    messageTs: message.ts,
    value: ref,
  });
  expect(res.status).toBe(200);
  return message;
}

/** Press the button and wait for the modal it opens for the user. */
export async function pressForModal(
  h: Harness,
  run: Run,
  stepKey: string,
  actionId: string,
  userId: string,
  callbackId: string,
): Promise<FakeView> {
  const before = h.fake.views.length;
  await press(h, run, stepKey, actionId, userId);
  return h.fake.waitFor(
    (f) => f.views.slice(before).find((v) => v.user === userId && v.callback_id === callbackId),
    {
      what: `the ${callbackId} modal for ${userId}`,
    },
  );
}

/** Submit a modal; returns the ack's JSON (field errors) or null when accepted. */
export async function submit(h: Harness, view: FakeView, userId: string, values: Values): Promise<unknown> {
  const res = await h.slack.viewSubmission({ userId, viewId: view.id, values });
  expect(res.status).toBe(200);
  return res.body === '' ? null : (res.json ?? res.body);
}

/** An owner completes the step through its modal. */
export async function completeStep(
  h: Harness,
  run: Run,
  stepKey: string,
  userId: string,
  values: Values = {},
) {
  const view = await pressForModal(h, run, stepKey, ACTION.stepDone, userId, CALLBACK.stepDoneModal);
  const answer = await submit(h, view, userId, { ...output(`${stepKey} by ${userId}`), ...values });
  expect(answer).toBeNull();
}

export interface StepWalk {
  key: string;
  /** Who presses Done, in order: each owner of a parallel step, then the approvers. */
  by: string[];
  values?: Values;
  /** Skip it (by this user, with a reason) instead. */
  skipBy?: string;
  /** The step runs as a linked run: walk that run's steps instead (the step is done when it is). */
  linked?: StepWalk[];
}

/** The run a step of `runId` was handed to (a linked run), once it is started. */
export function linkedRunOf(h: Harness, runId: string, stepKey: string): Promise<string> {
  return until(async () => {
    const link = linksOf(await h.core.runs.getRun(runId)).find(
      (l) => l.relation === 'step' && l.stepKey === stepKey,
    );
    return link?.runId ?? null;
  }, `${runId} ${stepKey} handed to a linked run`);
}

/** Walk the run step by step; waits for each step to be recorded before the next. */
export async function walk(h: Harness, runId: string, steps: StepWalk[]): Promise<Run> {
  const run = await postedRun(h, runId);
  for (const s of steps) {
    if (s.linked) {
      await walk(h, await linkedRunOf(h, runId, s.key), s.linked);
    } else if (s.skipBy) {
      const view = await pressForModal(h, run, s.key, ACTION.stepSkip, s.skipBy, CALLBACK.stepSkipModal);
      expect(await submit(h, view, s.skipBy, reason('not needed for this change'))).toBeNull();
    } else {
      for (const user of s.by) await completeStep(h, run, s.key, user, s.values);
    }
    await until(async () => {
      const step = (await h.core.runs.getRun(runId)).steps.find((x) => x.key === s.key);
      return step && (step.status === 'done' || step.status === 'skipped');
    }, `${runId} ${s.key} recorded`);
  }
  return until(async () => {
    const r = await h.core.runs.getRun(runId);
    return r.status === 'done' ? r : null;
  }, `${runId} done`);
}

/** Every handoff posted in the run's thread, in order: the step and the users it mentions. */
export function handoffs(h: Harness, run: Run): { step: string; mentions: string[] }[] {
  return threadOf(h, run)
    .map((m) => {
      const blocks = JSON.stringify(m.blocks ?? []);
      const value = new RegExp(
        `"action_id":"${ACTION.stepDone}"[^}]*"value":"([^"]+)"|"value":"([^"]+)"[^}]*"action_id":"${ACTION.stepDone}"`,
      ).exec(blocks);
      const ref = parseStepRef(value?.[1] ?? value?.[2]);
      return ref && ref.runId === run.id ? { step: ref.stepKey, mentions: mentionsIn(m).sort() } : null;
    })
    .filter((x): x is { step: string; mentions: string[] } => x !== null);
}

export { handoffFor };
