// An agent's Go/No-Go through Slack's buttons: the decision waits; someone off Atlas's escalation
// path pressing Confirm is refused; Ghabs overrules in the modal (the step goes back to the agent
// with the reason), then confirms the agent's second pass, which takes effect as the agent's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/types.ts';
import { ACTION, BLOCK, CALLBACK } from '../../src/slack/ids.ts';
import {
  type Harness,
  newestRun,
  postedRun,
  startHarness,
  threadOf,
  userFor as u,
  until,
} from '../support/app-harness.ts';
import { visibleText } from '../support/fake-slack.ts';
import { agent, say } from './thread-say.ts';
import { press, pressForModal, submit } from './walk.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** A minor release walked to Go/No-Go through the services, each step by its first pending holder. */
async function toGoNoGo(): Promise<Run> {
  await h.driver.slashCommand({ text: 'release v2.1 this Thursday', userId: 'UREQ', channelId: 'CGATE' });
  let r = await postedRun(h, (await newestRun(h)).id);
  for (let i = 0; i < 40; i++) {
    const step = r.steps.find((s) => s.status === 'active')!;
    if (step.key === 'go_no_go') return r;
    const role =
      step.owners.find((o) => !step.deliveries[o]) ?? step.approvers.find((a) => !step.deliveries[a])!;
    r = await h.core.runs.completeStep(r.id, await h.as(step.assignees[role]![0]!), {
      output: 'ok',
      role,
      ...(step.key === 'release_decision' ? { facts: { releaseType: 'minor' } } : {}),
    });
  }
  throw new Error('no Go/No-Go');
}

const decision = async (runId: string) =>
  (await h.core.runs.getRun(runId)).context.agentDecisions as Record<string, unknown>;

describe("an agent's decision on a gate, judged with Slack's buttons", () => {
  it('waits; Overrule hands it back with the reason; Confirm applies it as the agent’s', async () => {
    const r = await toGoNoGo();
    const atlas = agent(h, u('Atlas'), 'AtlasBot');
    await say(h, r, atlas, 'done Go: all green');
    await until(async () => (await decision(r.id)).go_no_go, 'the recorded decision');
    // Scribe is not on Atlas's escalation path: refused, privately.
    await press(h, r, 'go_no_go', ACTION.gateConfirm, u('Scribe'));
    await until(
      async () => h.fake.ephemerals(u('Scribe')).some((e) => /escalation path/.test(visibleText(e))),
      'the refusal',
    );
    expect((await h.core.runs.getRun(r.id)).steps.find((s) => s.key === 'go_no_go')?.status).toBe('active');
    // Ghabs overrules in the modal.
    const view = await pressForModal(
      h,
      r,
      'go_no_go',
      ACTION.gateOverrule,
      u('Ghabs'),
      CALLBACK.gateOverruleModal,
    );
    expect(
      await submit(h, view, u('Ghabs'), {
        [BLOCK.reason]: { [BLOCK.reason]: { type: 'plain_text_input', value: 'attach the smoke test logs' } },
      }),
    ).toBeNull();
    await until(async () => Object.keys(await decision(r.id)).length === 0, 'the decision cleared');
    await until(
      async () =>
        threadOf(h, r).find(
          (m) =>
            visibleText(m).includes('attach the smoke test logs') &&
            visibleText(m).includes(`<@${u('Atlas')}>`),
        ),
      'the step handed back to the agent with the reason',
    );
    // The agent passes again; Ghabs confirms with the button.
    await say(h, r, atlas, 'done Go: logs attached');
    await until(async () => (await decision(r.id)).go_no_go, 'the second decision');
    await press(h, r, 'go_no_go', ACTION.gateConfirm, u('Ghabs'));
    const step = await until(async () => {
      const s = (await h.core.runs.getRun(r.id)).steps.find((x) => x.key === 'go_no_go');
      return s?.status === 'done' ? s : null;
    }, 'Go/No-Go done');
    expect(step.output).toBe('Go: logs attached');
    expect(step.deliveries.Atlas?.by).toBe(u('Atlas'));
  });
});
