// Roles set while a run waits: a step handed off while nobody held its role goes to whoever
// an admin gives the role to, who is mentioned in the thread and can act on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  type Harness,
  handoffFor,
  mentionsIn,
  newestRun,
  postedRun,
  startHarness,
  threadOf,
  until,
} from '../support/app-harness.ts';
import { visibleText } from '../support/fake-slack.ts';
import { completeStep } from './walk.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ holders: false });
});
afterAll(() => h.close());

describe('/lead role set while a step waits on the role', () => {
  it('when an admin gives an unheld role to someone, then the waiting step is handed to them in the thread and they can complete it', async () => {
    await h.driver.slashCommand({
      text: 'feature Keyboard shortcuts for the web editor',
      userId: 'UREQUESTER',
      channelId: 'CROLES',
    });
    const run = await postedRun(h, (await newestRun(h)).id);
    const first = await h.fake.waitFor(() => handoffFor(h, run, 'vision_scope'), { what: 'the handoff' });
    expect(visibleText(first)).toContain('Nobody holds @Ghabs');
    expect(mentionsIn(first)).toEqual([]);

    await h.driver.slashCommand({
      text: 'role set Ghabs <@UFOUNDER|founder>',
      userId: ADMIN,
      channelId: 'CROLES',
    });
    const adopted = await h.fake.waitFor(
      () => threadOf(h, run).find((m) => m.ts !== first.ts && mentionsIn(m).includes('UFOUNDER')),
      { what: 'the step handed to the new holder' },
    );
    expect(handoffFor(h, run, 'vision_scope')?.ts).toBe(adopted.ts);

    await completeStep(h, run, 'vision_scope', 'UFOUNDER');
    const step = await until(async () => {
      const s = (await h.core.runs.getRun(run.id)).steps.find((x) => x.key === 'vision_scope');
      return s?.status === 'done' ? s : null;
    }, 'vision_scope done by the new holder');
    expect(step.output).toBe('vision_scope by UFOUNDER');
  });
});
