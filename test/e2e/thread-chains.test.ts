// The six chains walked to `done` by thread replies alone (../shared/CONTRACT.md, "Acting from
// the thread"), a third or more of the replies from other apps' bots: facts in plain text, a
// block then unblock, a Privacy block only Privacy or Ghabs with a rationale lifts, a refused
// non-owner answered in the thread without a mention, a non-verb mention that starts nothing.
// Every handoff carries `projectlead_step_assigned` metadata and the earlier outputs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/types.ts';
import { ACTION } from '../../src/slack/ids.ts';
import {
  type Harness,
  hasButton,
  newestRun,
  outboxSettled,
  postedRun,
  startHarness,
  threadOf,
  userFor as u,
  until,
} from '../support/app-harness.ts';
import { visibleText } from '../support/fake-slack.ts';
import { answerTo, person, repliesAfter, say } from './thread-say.ts';
import { type Cast, cast, sayAndWait, walkThread } from './thread-walk.ts';

let h: Harness;
let c: Cast;
beforeAll(async () => {
  h = await startHarness();
  c = cast(h);
});
afterAll(() => h.close());

const REQUESTER = 'UREQUESTER';

async function slashRun(text: string, channelId: string): Promise<Run> {
  const before = await h.core.store.read.runs.count();
  const res = await h.driver.slashCommand({ text, userId: REQUESTER, channelId });
  expect(res.status).toBe(200);
  await until(async () => (await h.core.store.read.runs.count()) > before, 'a new run');
  return postedRun(h, (await newestRun(h)).id);
}

/** Every handoff carries the metadata, and names the outputs of the steps done before it. */
async function expectHandoffsCarryContext(run: Run) {
  await outboxSettled(h);
  const stored = await h.core.runs.getRun(run.id);
  const handoffs = threadOf(h, stored).filter((m) => hasButton(m.blocks, ACTION.stepDone));
  expect(handoffs.length).toBeGreaterThan(3);
  for (const m of handoffs) {
    const meta = m.metadata as { event_type: string; event_payload: Record<string, unknown> };
    expect(meta.event_type).toBe('projectlead_step_assigned');
    const p = meta.event_payload;
    for (const key of [
      'run_id',
      'chain',
      'step_key',
      'step_title',
      'owners',
      'assignees',
      'output',
      'gate',
      'due_at',
      'thread_ts',
    ])
      expect(p, key).toHaveProperty(key);
    expect(p.run_id).toBe(stored.id);
    expect(p.thread_ts).toBe(stored.threadTs);
    const step = stored.steps.find((s) => s.key === p.step_key)!;
    const earlier = stored.steps.filter((s) => s.idx < step.idx && s.status === 'done' && s.output);
    const text = visibleText(m);
    for (const e of earlier) {
      const first = e.output!.split('\n')[0]!.replace(/^\w+: /, '');
      expect(text, `${step.key} names ${e.key}'s output`).toContain(first);
    }
  }
}

async function expectDone(run: Run): Promise<Run> {
  const stored = await h.core.runs.getRun(run.id);
  expect(stored.status).toBe('done');
  await expectHandoffsCarryContext(stored);
  const closed = threadOf(h, stored).filter(
    (m) => (m.metadata as { event_type?: string } | undefined)?.event_type === 'projectlead_run_closed',
  );
  expect(closed).toHaveLength(1);
  const payload = (closed[0]!.metadata as { event_payload: Record<string, unknown> }).event_payload;
  expect(payload).toMatchObject({ run_id: stored.id, chain: stored.chain, status: 'done' });
  return stored;
}

describe('the six chains by thread replies alone', () => {
  it('New Feature: facts, a block then unblock, a refused agent, ack, status, a non-verb mention', async () => {
    const run = await slashRun('feature Add a dark mode toggle to the backend-only reporting API', 'CTFEAT');
    const runs = await h.core.store.read.runs.count();
    const done = await walkThread(h, c, run.id, {
      facts: { architecture_design: 'projects: backend' },
      play: {
        implementation: async (r) => {
          const lead = person(u('BackendLead'));
          await sayAndWait(h, c, r.id, lead, 'block waiting on the staging API keys');
          expect((await h.core.runs.getRun(r.id)).status).toBe('blocked');
          await sayAndWait(h, c, r.id, lead, 'unblock the keys arrived');
          expect((await h.core.runs.getRun(r.id)).status).toBe('active');
        },
        quality_gate: async (r) => {
          // Scribe's agent does not own the gate: refused, answered in the thread, not mentioned.
          const scribe = c.authorOf(u('Scribe'));
          const msg = await say(h, r, scribe, 'done quality_gate looks fine to me');
          const answer = await answerTo(h, r, scribe, msg.ts, /Only @QAGuard/);
          expect(answer).not.toContain(`<@${u('Scribe')}>`);
          expect((await h.core.runs.getRun(r.id)).steps.find((s) => s.key === 'quality_gate')?.status).toBe(
            'active',
          );
          // A mention that is no verb starts nothing: it is told the words.
          const chat = await say(h, r, person(REQUESTER), 'how is it going with this one?');
          expect(await answerTo(h, r, person(REQUESTER), chat.ts, /done \[step\]/)).toMatch(/block <reason>/);
          const qa = c.authorOf(u('QAGuard'));
          const asked = await say(h, r, qa, 'status');
          const status = await answerTo(h, r, qa, asked.ts, new RegExp(r.id));
          expect(status).not.toContain(`<@${u('QAGuard')}>`);
        },
        deployment: async (r) => {
          await sayAndWait(h, c, r.id, c.authorOf(u('OpsCommander')), 'ack');
          const s = (await h.core.runs.getRun(r.id)).steps.find((x) => x.key === 'deployment');
          expect(s?.acknowledgedAt).not.toBeNull();
        },
      },
    });
    expect(await h.core.store.read.runs.count()).toBe(runs);
    const stored = await expectDone(done);
    expect(stored.projects).toEqual(['backend']);
    // What a bot's message caused names the bot, never mentions it.
    for (const m of repliesAfter(h, stored, '0')) {
      if (hasButton(m.blocks, ACTION.stepDone)) continue;
      expect(visibleText(m)).not.toContain(`<@${u('Scribe')}>`);
    }
  });

  it('Bug Fix: Triage records severity and projects as plain text; a wrong value is refused, naming the valid ones', async () => {
    const run = await slashRun('bug Checkout button crashes on Safari', 'CTBUG');
    const done = await walkThread(h, c, run.id, {
      play: {
        triage: async (r) => {
          const lead = person(u('ProjectLead'));
          const msg = await say(
            h,
            r,
            lead,
            'done triage Reproduced on Safari 17\nseverity: urgent\nprojects: web',
          );
          const answer = await answerTo(h, r, lead, msg.ts, /severity/);
          expect(answer).toMatch(/critical, high, medium, low/);
          const after = await h.core.runs.getRun(r.id);
          expect(after.version).toBe(r.version);
          expect(after.severity).toBe(r.severity);
          await sayAndWait(
            h,
            c,
            r.id,
            lead,
            'done triage Reproduced on Safari 17\nseverity: medium\nprojects: web',
          );
        },
      },
    });
    const stored = await expectDone(done);
    expect(stored.severity).toBe('medium');
    expect(stored.projects).toEqual(['web']);
    expect(stored.steps.find((s) => s.key === 'triage')?.output).toBe('Reproduced on Safari 17');
  });

  it("Release from a mention: a Privacy block only Privacy, or Ghabs with a rationale, lifts; the agent's Go/No-Go waits for a person, overruled then confirmed", async () => {
    const ts = h.driver.newTs();
    const text = `<@${h.fake.botUserId}> Ship release v3.0 with the new billing page`;
    h.fake.addMessage({ channel: 'CTREL', user: REQUESTER, text, ts });
    await h.driver.event({ type: 'app_mention', user: REQUESTER, text, channel: 'CTREL', ts });
    const run = await postedRun(h, (await newestRun(h)).id);
    expect(run.chain).toBe('release');
    expect(run.threadTs).toBe(ts);
    const done = await walkThread(h, c, run.id, {
      facts: { release_decision: 'release type: minor' },
      play: {
        pre_release_audit: async (r) => {
          await sayAndWait(h, c, r.id, person(u('Privacy')), 'block the new page logs card numbers');
          const atlas = c.authorOf(u('Atlas'));
          const tried = await say(h, r, atlas, 'unblock looks fine');
          expect(await answerTo(h, r, atlas, tried.ts, /Privacy/)).not.toContain(`<@${u('Atlas')}>`);
          const ghabs = person(u('Ghabs'));
          const bare = await say(h, r, ghabs, 'unblock');
          await answerTo(h, r, ghabs, bare.ts, /rationale/i);
          expect((await h.core.runs.getRun(r.id)).status).toBe('blocked');
          await sayAndWait(
            h,
            c,
            r.id,
            ghabs,
            'unblock Accepting the risk: the logs are purged within the hour',
          );
          const after = await h.core.runs.getRun(r.id);
          expect(after.status).toBe('active');
        },
        go_no_go: async (r) => {
          // Atlas's agent passes Go/No-Go: recorded, the run waits for a person on its path.
          const atlas = c.authorOf(u('Atlas'));
          await sayAndWait(h, c, r.id, atlas, 'done go_no_go Go: all green');
          const waiting = await h.core.runs.getRun(r.id);
          expect(waiting.steps.find((s) => s.key === 'go_no_go')?.status).toBe('active');
          expect(Object.keys(waiting.context.agentDecisions as object)).toEqual(['go_no_go']);
          const ask = await until(
            async () => threadOf(h, r).find((m) => hasButton(m.blocks, ACTION.gateConfirm)),
            'the confirm button',
          );
          expect(visibleText(ask)).toContain(`<@${u('Ghabs')}>`);
          expect(visibleText(ask)).not.toContain(`<@${u('Atlas')}>`);
          // The agent cannot confirm its own decision.
          const self = await say(h, r, atlas, 'confirm');
          await answerTo(h, r, atlas, self.ts, /escalation path/);
          // Overruled: the step is the agent's again, with the person's reason.
          const ghabs = person(u('Ghabs'));
          await sayAndWait(h, c, r.id, ghabs, 'overrule wait for the load test results');
          const again = await until(
            async () =>
              threadOf(h, r).find(
                (m) =>
                  hasButton(m.blocks, ACTION.stepDone) &&
                  visibleText(m).includes('wait for the load test results'),
              ),
            'the handoff back to the agent',
          );
          expect(visibleText(again)).toContain(`<@${u('Atlas')}>`);
          await sayAndWait(h, c, r.id, atlas, 'done go_no_go Go: the load tests pass');
          expect((await h.core.runs.getRun(r.id)).steps.find((s) => s.key === 'go_no_go')?.status).toBe(
            'active',
          );
          await sayAndWait(h, c, r.id, ghabs, 'confirm');
          const confirmed = (await h.core.runs.getRun(r.id)).steps.find((s) => s.key === 'go_no_go');
          expect(confirmed?.status).toBe('done');
          expect(confirmed?.output).toBe('Go: the load tests pass');
        },
      },
    });
    const stored = await expectDone(done);
    expect(stored.releaseType).toBe('minor');
  });

  it('Incident Response: the severity and the breach assessment as facts', async () => {
    const run = await slashRun('incident Checkout API returns 500 for all users', 'CTINC');
    expect(run.chain).toBe('incident');
    const done = await walkThread(h, c, run.id, {
      facts: {
        assess_severity: 'severity: sev2',
        breach_assessment: '```json\n{"user_data_exposed": false}\n```',
      },
    });
    const stored = await expectDone(done);
    expect(stored.severity).toBe('sev2');
    expect(stored.context.userDataExposed).toBe(false);
  });

  it('Cross-Project Change: the leads in parallel, Compliance Check skipped from the thread', async () => {
    const run = await slashRun('change Change the API contract of the orders endpoint', 'CTCHG');
    const done = await walkThread(h, c, run.id, { skip: ['compliance_check'] });
    const stored = await expectDone(done);
    expect(stored.steps.find((s) => s.key === 'compliance_check')?.status).toBe('skipped');
  });

  it('Compliance Review: the scope as facts; every step by thread', async () => {
    const run = await slashRun('audit Quarterly compliance review of data retention', 'CTAUD');
    const done = await walkThread(h, c, run.id, { facts: { scope: 'projects: web, backend' } });
    const stored = await expectDone(done);
    expect(stored.projects).toEqual(['web', 'backend']);
    // Its thread, closed, still never starts a run; a verb there is told the run is closed.
    const runs = await h.core.store.read.runs.count();
    const asked = await say(h, stored, person(REQUESTER), 'Audit the payment provider next quarter');
    await answerTo(h, stored, person(REQUESTER), asked.ts, /not something I do/);
    const late = await say(h, stored, person(u('Privacy')), 'block found one more gap');
    await answerTo(h, stored, person(u('Privacy')), late.ts, /closed|done/i);
    expect(await h.core.store.read.runs.count()).toBe(runs);
  });

  it('a third or more of the replies came from agents (bot authors)', () => {
    expect(c.said.bot * 3).toBeGreaterThanOrEqual(c.said.bot + c.said.person);
  });
});
