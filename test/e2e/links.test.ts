// Linked runs through Slack: `/lead cancel` of an incident whose Permanent Fix runs as a Bug Fix
// asks what becomes of that run (buttons: cancel it too, or keep it going), and an agent opens a
// post-mortem follow-up from the incident's thread (`follow-up bug <what>`), linked both ways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linksOf } from '../../src/domain/links.ts';
import type { Run } from '../../src/domain/types.ts';
import { ACTION } from '../../src/slack/ids.ts';
import {
  type Harness,
  outboxSettled,
  postedRun,
  startHarness,
  threadOf,
  userFor as u,
  until,
} from '../support/app-harness.ts';
import { visibleText } from '../support/fake-slack.ts';
import { agent, say } from './thread-say.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** An incident walked by its owners (through the verbs) to its Permanent Fix, which starts a Bug Fix. */
async function incidentAtPermanentFix(channelId: string): Promise<{ incident: Run; bug: Run }> {
  const { run } = await h.core.runs.startRun({
    chain: 'incident',
    title: 'Payments API times out',
    text: 'Payments API p99 above 10 s',
    requester: 'UREQUESTER',
    channelId,
    severity: 'sev2',
    projects: ['backend'],
  });
  let r = run;
  for (;;) {
    const step = r.steps.find((s) => s.status === 'active')!;
    if (step.key === 'permanent_fix') break;
    for (const role of step.owners)
      r = await h.core.runs.completeStep(
        r.id,
        await h.core.actors.resolve({ kind: 'slack_user', userId: u(role) }),
        {
          stepKey: step.key,
          output: `${step.key} done`,
          role,
        },
      );
  }
  const link = linksOf(r).find((l) => l.relation === 'step')!;
  return { incident: await postedRun(h, r.id), bug: await postedRun(h, link.runId) };
}

describe('linked runs in Slack', () => {
  it('asks what to do with the Bug Fix when the incident is cancelled, and keeps it going when told so', async () => {
    const { incident, bug } = await incidentAtPermanentFix('CLINK1');
    const res = await h.driver.slashCommand({
      text: `cancel ${incident.id} duplicate of INC-0`,
      userId: 'UREQUESTER',
      channelId: 'CLINK1',
    });
    expect(res.status).toBe(200);
    const question = await h.fake.waitFor(
      (f) => f.ephemerals('UREQUESTER').find((e) => visibleText(e).includes(bug.id)),
      { what: 'the question about the linked run' },
    );
    expect(visibleText(question)).toMatch(/cancel it too, or keep it going/);
    expect((await h.core.runs.getRun(incident.id)).status).toBe('active');
    const pressed = await h.slack.blockAction({
      userId: 'UREQUESTER',
      actionId: ACTION.runCancelKeep,
      container: 'ephemeral',
      channelId: 'CLINK1',
      messageTs: question.message_ts,
      value: JSON.stringify({ run: incident.id, reason: 'duplicate of INC-0' }),
    });
    expect(pressed.status).toBe(200);
    await until(
      async () => (await h.core.runs.getRun(incident.id)).status === 'cancelled',
      'the incident cancelled',
    );
    const kept = await h.core.runs.getRun(bug.id);
    expect(kept.status).toBe('active');
    expect(linksOf(kept)[0]).toMatchObject({ relation: 'parent', status: 'cancelled', detached: true });
    await outboxSettled(h);
    expect(
      threadOf(h, kept)
        .map((m) => visibleText(m))
        .join('\n'),
    ).toContain(`${incident.id} was cancelled; ${bug.id} goes on by itself`);
  });

  it('opens a follow-up from the incident thread, said by an agent, linked both ways', async () => {
    const { incident } = await incidentAtPermanentFix('CLINK2');
    const atlas = agent(h, u('Atlas'), 'atlas-agent');
    await say(h, incident, atlas, 'follow-up bug Payments client retries without backoff');
    const followUp = await until(
      async () =>
        (await h.core.store.read.runs.list({ chain: 'bug' })).find((r) => r.source === 'follow_up') ?? null,
      'the follow-up run',
    );
    expect(followUp).toMatchObject({
      title: 'Payments client retries without backoff',
      requester: u('Atlas'),
    });
    await outboxSettled(h);
    const posted = await postedRun(h, followUp.id);
    const incidentThread = threadOf(h, incident)
      .map((m) => visibleText(m))
      .join('\n');
    expect(incidentThread).toContain(`Follow-up`);
    expect(incidentThread).toContain(`/archives/${posted.channelId}/p${posted.rootTs!.replace('.', '')}`);
    expect(
      threadOf(h, posted)
        .map((m) => visibleText(m))
        .join('\n'),
    ).toMatch(new RegExp(`follow-up of .*${incident.id}`, 'i'));
    // Said again: the same run, and the agent is told which.
    await say(h, incident, atlas, 'follow-up bug Payments client retries without backoff');
    await until(
      async () =>
        threadOf(h, incident).some((m) =>
          visibleText(m).includes(`That follow-up is ${followUp.id} already`),
        ),
      'the answer to the repeat',
    );
    expect(
      (await h.core.store.read.runs.list({ chain: 'bug' })).filter((r) => r.source === 'follow_up'),
    ).toHaveLength(1);
  });
});
