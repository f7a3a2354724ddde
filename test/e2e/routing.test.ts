// The SOP's routing, kept end to end: a severity the request states survives a named chain
// (a Critical bug tells Atlas and OpsCommander at once); a Cross-Project Change is proposed by a
// Tier 2 lead, coordinated by the pattern's leads and implemented by every affected project's
// Tier 2 lead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/types.ts';
import { ACTION } from '../../src/slack/ids.ts';
import {
  type Harness,
  handoffFor,
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
import { completeStep } from './walk.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const REQUESTER = 'UROUTEREQ';

/** The users asked to act in a handoff (its first section), not the coordinators under it. */
function askedIn(m: FakeMessage): string[] {
  const first = JSON.stringify((m.blocks ?? [])[0] ?? {});
  return [...new Set([...first.matchAll(/<@([UW][A-Z0-9]+)>/g)].map((x) => x[1]!))].sort();
}

async function handoff(run: Run, stepKey: string): Promise<FakeMessage> {
  return until(async () => handoffFor(h, run, stepKey), `the ${stepKey} handoff of ${run.id}`);
}

async function done(run: Run, stepKey: string, by: string) {
  await completeStep(h, run, stepKey, by);
  await until(async () => {
    const step = (await h.core.runs.getRun(run.id)).steps.find((s) => s.key === stepKey);
    return step?.status === 'done';
  }, `${run.id} ${stepKey} done`);
}

async function startWith(text: string, userId: string, channelId: string): Promise<Run> {
  const before = (await h.core.store.read.runs.list()).length;
  await h.driver.slashCommand({ text, userId, channelId });
  await until(async () => (await h.core.store.read.runs.list()).length === before + 1, 'a new run');
  return postedRun(h, (await newestRun(h)).id);
}

describe('a severity the request states', () => {
  it('when `/lead bug Critical: …` is asked, then the bug starts Critical and Atlas and OpsCommander are told at once', async () => {
    const run = await startWith('bug Critical: checkout crashes for every user', REQUESTER, 'CROUTEBUG');
    expect(run).toMatchObject({ chain: 'bug', severity: 'critical' });
    await outboxSettled(h);
    const told = threadOf(h, run).find(
      (m) => mentionsIn(m).includes(u('Atlas')) && mentionsIn(m).includes(u('OpsCommander')),
    );
    expect(told && visibleText(told)).toMatch(/Critical/);
    for (const who of [u('Atlas'), u('OpsCommander')])
      expect(h.fake.messages(h.fake.dmChannel(who)).some((m) => visibleText(m).includes(run.id))).toBe(true);
  });

  it('when the requester picks Bug Fix for a "Critical: …" request the bot asked about, then the bug starts Critical too', async () => {
    const user = 'UROUTEPICK';
    await h.driver.slashCommand({
      text: 'Critical: checkout broken for some users',
      userId: user,
      channelId: 'CROUTEPICK',
    });
    const ask = await h.fake.waitFor((f) =>
      f.ephemerals(user).find((e) => JSON.stringify(e.blocks ?? []).includes(ACTION.chooseChain)),
    );
    const bug = /"value":"(\d+\|bug)"/.exec(JSON.stringify(ask.blocks))?.[1];
    expect(bug).toBeDefined();
    await h.driver.blockAction({
      userId: user,
      actionId: ACTION.chooseChain,
      value: bug!,
      container: 'ephemeral',
      channelId: 'CROUTEPICK',
      messageTs: ask.message_ts,
    });
    const run = await postedRun(
      h,
      (await until(async () => ((await newestRun(h)).chain === 'bug' ? newestRun(h) : null), 'the bug run'))
        .id,
    );
    expect(run).toMatchObject({ chain: 'bug', severity: 'critical', requester: user });
  });
});

describe('Cross-Project Change: a users-table migration read by web, backend and mobile', () => {
  const text = 'change Migrate the users table to split first and last name; web, backend and mobile read it';
  const leads = [u('FrontendLead'), u('BackendLead'), u('MobileLead')].sort();

  it('when the requester leads no project, then the affected leads are asked to propose, one proposal is enough, and all three implement while the pattern’s leads coordinate', async () => {
    const run = await startWith(text, REQUESTER, 'CROUTECHG');
    expect(run).toMatchObject({ chain: 'cross_project', changeType: 'data_model' });
    expect(askedIn(await handoff(run, 'propose'))).toEqual(leads);
    await done(run, 'propose', u('MobileLead'));
    await done(run, 'impact_analysis', u('Architect'));
    const design = await handoff(run, 'design');
    const designers = [
      ...new Set([u('Architect'), u('BackendLead'), u('QuantArchitect'), u('CloudArch'), ...leads]),
    ];
    expect(askedIn(design)).toEqual(designers.sort());
    for (const who of designers) await completeStep(h, run, 'design', who);
    const implement = await handoff(run, 'implement');
    expect(askedIn(implement)).toEqual(leads);
    const coordinating = visibleText(implement)
      .split('\n')
      .find((l) => l.includes('Coordinating'));
    expect(coordinating).toContain(`<@${u('QuantArchitect')}>`);
    expect(coordinating).toContain(`<@${u('CloudArch')}>`);
  });

  it('when the requester holds a Tier 2 lead role, then they propose it themselves', async () => {
    const run = await startWith(text, u('FrontendLead'), 'CROUTECHG2');
    expect(askedIn(await handoff(run, 'propose'))).toEqual([u('FrontendLead')]);
  });
});
