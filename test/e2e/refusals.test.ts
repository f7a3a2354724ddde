// Every refusal is a `refused` event: a button pressed by someone who may not act (before a modal
// opens as much as at the verb), a role set by a non-admin, a role given to a user group that does
// not exist or has nobody in it. The person is told privately; nothing else changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/slack/ids.ts';
import {
  ADMIN,
  CHANNEL,
  type Harness,
  newestRun,
  postedRun,
  startHarness,
  until,
  userFor,
} from '../support/app-harness.ts';
import { queryRows } from '../support/engine.ts';
import { visibleText } from '../support/fake-slack.ts';
import { press } from './walk.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

type Row = {
  run_id: string | null;
  actor: string;
  step_key: string | null;
  data: Record<string, unknown>;
};

/** The `refused` events in the database, oldest first. */
async function refusedEvents(): Promise<
  {
    runId: string | null;
    actor: string;
    stepKey: string | null;
    data: Record<string, unknown>;
  }[]
> {
  const rows = await queryRows<Row>(
    h.core.store,
    "select run_id, actor, step_key, data from events where type = 'refused' order by id",
  );
  return rows.map((r) => ({
    runId: r.run_id,
    actor: r.actor,
    stepKey: r.step_key,
    data: r.data,
  }));
}

/** The text of the newest private answer to the user. */
async function toldPrivately(userId: string, before: number): Promise<string> {
  const e = await h.fake.waitFor((f) => f.ephemerals(userId).slice(before)[0], {
    what: `a private answer to ${userId}`,
  });
  return visibleText(e);
}

describe('refusals are recorded', () => {
  it('when someone who does not own the step presses its buttons, then each press is refused privately, nothing changes, and each is a refused event', async () => {
    await h.driver.slashCommand({ text: 'feature Saved searches', userId: 'UREQUESTER', channelId: CHANNEL });
    const run = await postedRun(h, (await newestRun(h)).id);
    const before = await h.core.runs.getRun(run.id);
    const presses = [
      [ACTION.stepDone, 'complete'],
      [ACTION.stepBlock, 'block'],
      [ACTION.stepReassign, 'reassign'],
    ] as const;
    for (const [actionId, action] of presses) {
      const told = h.fake.ephemerals('UINTRUDER').length;
      await press(h, run, 'vision_scope', actionId, 'UINTRUDER');
      expect(await toldPrivately('UINTRUDER', told)).toMatch(/Only @Ghabs or an admin can/);
      expect((await refusedEvents()).at(-1)).toEqual({
        runId: run.id,
        actor: 'UINTRUDER',
        stepKey: 'vision_scope',
        data: expect.objectContaining({ action, code: 'not_owner' }),
      });
    }
    expect(h.fake.views.filter((v) => v.user === 'UINTRUDER')).toEqual([]);
    expect(await h.core.runs.getRun(run.id)).toEqual(before);
    const inRun = (await h.core.store.read.events.forRun(run.id)).filter((e) => e.type === 'refused');
    expect(inRun.map((e) => e.data.action)).toEqual(['complete', 'block', 'reassign']);
  });

  it('when a non-admin sets a role, then it is refused and is a refused event', async () => {
    const told = h.fake.ephemerals('UINTRUDER').length;
    await h.driver.slashCommand({
      text: 'role set Atlas <@UINTRUDER|me>',
      userId: 'UINTRUDER',
      channelId: CHANNEL,
    });
    expect(await toldPrivately('UINTRUDER', told)).toMatch(/Only an admin/);
    expect((await refusedEvents()).at(-1)).toEqual({
      runId: null,
      actor: 'UINTRUDER',
      stepKey: null,
      data: expect.objectContaining({ action: 'role_set', code: 'not_admin', role: 'Atlas' }),
    });
    expect(await h.core.roles.holdersOf('Atlas')).toEqual([userFor('Atlas')]);
  });
});

describe('/lead role set with a user group', () => {
  it.each([
    ['that does not exist', 'SNOSUCH', /There is no user group <!subteam\^SNOSUCH>/, 'unknown_usergroup'],
    ['with nobody in it', 'SEMPTY', /has nobody in it/, 'empty_usergroup'],
  ])('when an admin gives a role to a group %s, then it is refused with a clear answer and the role is unchanged', async (_what, group, answer, code) => {
    h.fake.addUsergroup('SEMPTY', [], 'empty-team');
    const told = h.fake.ephemerals(ADMIN).length;
    await h.driver.slashCommand({
      text: `role set OpsCommander <!subteam^${group}|@team>`,
      userId: ADMIN,
      channelId: CHANNEL,
    });
    const text = await toldPrivately(ADMIN, told);
    expect(text).toMatch(answer);
    expect(text).toContain('@OpsCommander is unchanged');
    expect(await h.core.roles.holdersOf('OpsCommander')).toEqual([userFor('OpsCommander')]);
    expect((await refusedEvents()).at(-1)).toEqual({
      runId: null,
      actor: ADMIN,
      stepKey: null,
      data: expect.objectContaining({ action: 'role_set', code, role: 'OpsCommander' }),
    });
  });

  it('when an admin gives a role to a group with members, then it is held by the group and its members may act at once', async () => {
    h.fake.addUsergroup('SONCALL', ['UONCALL1', 'UONCALL2'], 'oncall');
    await h.driver.slashCommand({
      text: 'role set Ghabs <!subteam^SONCALL|@oncall>',
      userId: ADMIN,
      channelId: CHANNEL,
    });
    await until(
      async () => (await h.core.roles.holdersOf('Ghabs')).includes('SONCALL'),
      'Ghabs held by SONCALL',
    );
    // The members were read from Slack with the role, not on a later refresh.
    expect((await h.as('UONCALL2')).principals).toContain('SONCALL');
  });
});
