// The six chains, each walked from the request to completion through Slack payloads only, owner
// by owner: the thread mentions the right people at each handoff, in SOP order, with the
// playbook's skips; the root message is kept current; the database ends with the run done.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linksOf } from '../../src/domain/links.ts';
import type { Run } from '../../src/domain/types.ts';
import { BLOCK, CALLBACK } from '../../src/slack/ids.ts';
import {
  type Harness,
  newestRun,
  outboxSettled,
  postedRun,
  startHarness,
  threadOf,
  userFor as u,
} from '../support/app-harness.ts';
import { visibleText } from '../support/fake-slack.ts';
import { selectedOption, textInput } from '../support/slack-driver.ts';
import { handoffs, multiSelect, select, submit, walk } from './walk.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const REQUESTER = 'UREQUESTER';

/** The run is done in the database, its thread ends with the completion, its root shows it. */
async function expectFinished(run: Run) {
  await outboxSettled(h);
  const stored = await h.core.runs.getRun(run.id);
  expect(stored.status).toBe('done');
  expect(stored.closedAt).not.toBeNull();
  expect(stored.steps.every((s) => s.status === 'done' || s.status === 'skipped')).toBe(true);
  const thread = threadOf(h, stored);
  const root = thread.find((m) => m.ts === stored.rootTs);
  const replies = thread.filter(
    (m) => m.thread_ts === (stored.threadTs ?? stored.rootTs) && m.ts !== stored.rootTs,
  );
  expect(root!.history.length).toBeGreaterThan(0);
  expect(visibleText(root!)).toMatch(/Done/);
  expect(visibleText(root!)).toContain(stored.id);
  expect(visibleText(replies.at(-1)!)).toMatch(/complete|done|finished/i);
  return stored;
}

const step = (key: string, by: string[], values?: Parameters<typeof walk>[2][number]['values']) => ({
  key,
  by,
  ...(values ? { values } : {}),
});

describe('the six chains, end to end', () => {
  it('New Feature from /lead feature: backend-only skips UX, no user data skips Compliance', async () => {
    const res = await h.driver.slashCommand({
      text: 'feature Add a dark mode toggle to the backend-only reporting API',
      userId: REQUESTER,
      channelId: 'CFEATURE',
    });
    expect(res.status).toBe(200);
    const run = await postedRun(h, (await newestRun(h)).id);
    expect(run.id).toMatch(/^FEAT-\d+$/);
    expect(run.channelId).toBe('CFEATURE');
    expect(visibleText(h.fake.message('CFEATURE', run.rootTs!)!)).toContain('New Feature');
    const done = await walk(h, run.id, [
      step('vision_scope', [u('Ghabs')]),
      step('technical_feasibility', [u('Atlas')]),
      step('architecture_design', [u('Architect')], multiSelect(BLOCK.projects, ['backend'])),
      step('implementation', [u('BackendLead')]),
      step('quality_gate', [u('QAGuard')]),
      step('deployment', [u('OpsCommander')]),
      step('documentation', [u('Scribe')]),
    ]);
    expect(handoffs(h, done)).toEqual([
      { step: 'vision_scope', mentions: [u('Ghabs')] },
      { step: 'technical_feasibility', mentions: [u('Atlas')] },
      { step: 'architecture_design', mentions: [u('Architect')] },
      { step: 'implementation', mentions: [u('BackendLead')] },
      { step: 'quality_gate', mentions: [u('QAGuard')] },
      { step: 'deployment', mentions: [u('OpsCommander')] },
      { step: 'documentation', mentions: [u('Scribe')] },
    ]);
    const stored = await expectFinished(done);
    expect(stored.steps.filter((s) => s.status === 'skipped').map((s) => s.key)).toEqual([
      'ux_design',
      'compliance_gate',
    ]);
    expect(stored.steps.find((s) => s.key === 'vision_scope')?.output).toBe(`vision_scope by ${u('Ghabs')}`);
  });

  it('Bug Fix from free text: the reporter, triage sets severity and project, a payment bug goes to Privacy + QuantArchitect', async () => {
    await h.driver.slashCommand({
      text: 'Checkout button crashes on Safari',
      userId: REQUESTER,
      channelId: 'CBUG',
    });
    const run = await postedRun(h, (await newestRun(h)).id);
    expect(run.id).toMatch(/^BUG-\d+$/);
    const done = await walk(h, run.id, [
      step('report', [REQUESTER]),
      step('triage', [u('ProjectLead')], {
        ...select(BLOCK.severity, 'high'),
        ...multiSelect(BLOCK.projects, ['web']),
      }),
      step('root_cause_analysis', [u('Privacy'), u('QuantArchitect')]),
      step('fix', [u('FrontendLead')]),
      step('verify', [u('QAGuard')]),
      step('deploy', [u('OpsCommander')]),
      step('document', [u('Scribe')]),
    ]);
    expect(handoffs(h, done)).toEqual([
      { step: 'report', mentions: [REQUESTER] },
      { step: 'triage', mentions: [u('ProjectLead')] },
      { step: 'root_cause_analysis', mentions: [u('Privacy'), u('QuantArchitect')].sort() },
      { step: 'fix', mentions: [u('FrontendLead')] },
      { step: 'verify', mentions: [u('QAGuard')] },
      { step: 'deploy', mentions: [u('OpsCommander')] },
      { step: 'document', mentions: [u('Scribe')] },
    ]);
    const stored = await expectFinished(done);
    expect(stored.severity).toBe('high');
    expect(stored.projects).toEqual(['web']);
  });

  it('Release from a mention: in its thread; code freeze by every Tier 2 lead then @ProjectLead; a major release needs @Ghabs at Go/No-Go', async () => {
    const ts = h.driver.newTs();
    h.fake.addMessage({
      channel: 'CREL',
      user: REQUESTER,
      text: '<@U0PROJLEAD> Ship release v3.0 with the new billing page',
      ts,
    });
    await h.driver.event({
      type: 'app_mention',
      user: REQUESTER,
      text: `<@${h.fake.botUserId}> Ship release v3.0 with the new billing page`,
      channel: 'CREL',
      ts,
    });
    const run = await postedRun(h, (await newestRun(h)).id);
    expect(run.id).toMatch(/^REL-\d+$/);
    expect(run.threadTs).toBe(ts);
    expect(h.fake.message('CREL', run.rootTs!)?.thread_ts).toBe(ts);
    const tier2 = ['FrontendLead', 'BackendLead', 'MobileLead', 'ContentLead'].map(u);
    const done = await walk(h, run.id, [
      step('release_decision', [u('Atlas')], select(BLOCK.releaseType, 'major')),
      step('code_freeze', [...tier2, u('ProjectLead')]),
      step('full_qa_pass', [u('QAGuard')]),
      // A major release's audit runs as a linked Compliance Review of the release's scope.
      {
        key: 'pre_release_audit',
        by: [],
        linked: [
          step('scope', [u('Privacy')]),
          step('data_flow_audit', [u('Privacy'), ...tier2]),
          step('risk_assessment', [u('Privacy')]),
          step('findings_report', [u('Privacy')]),
          step('remediation_plan', [u('Architect'), ...tier2]),
          step('remediation', [...tier2, u('Privacy')]),
          step('re_audit', [u('Privacy')]),
          step('report_to_ceo', [u('Privacy'), u('Ghabs')]),
          step('document', [u('Scribe')]),
        ],
      },
      step('changelog_docs', [u('Scribe')]),
      step('staging_deploy', [u('OpsCommander')]),
      step('go_no_go', [u('Atlas'), u('Ghabs')]),
      step('production_deploy', [u('OpsCommander')]),
      step('post_release_metrics', [u('GrowthLead')]),
      step('announce', [u('Scribe'), u('ContentLead')]),
    ]);
    expect(handoffs(h, done)).toEqual([
      { step: 'release_decision', mentions: [u('Atlas')] },
      { step: 'code_freeze', mentions: [...tier2].sort() },
      { step: 'code_freeze', mentions: [u('ProjectLead')] },
      { step: 'full_qa_pass', mentions: [u('QAGuard')] },
      { step: 'changelog_docs', mentions: [u('Scribe')] },
      { step: 'staging_deploy', mentions: [u('OpsCommander')] },
      { step: 'go_no_go', mentions: [u('Atlas')] },
      { step: 'go_no_go', mentions: [u('Ghabs')] },
      { step: 'production_deploy', mentions: [u('OpsCommander')] },
      { step: 'post_release_metrics', mentions: [u('GrowthLead')] },
      { step: 'announce', mentions: [u('ContentLead'), u('Scribe')] },
    ]);
    const stored = await expectFinished(done);
    expect(stored.releaseType).toBe('major');
    const [audit] = linksOf(stored);
    expect(audit).toMatchObject({
      relation: 'step',
      chain: 'compliance',
      stepKey: 'pre_release_audit',
      status: 'done',
    });
    expect((await h.core.runs.getRun(audit!.runId)).auditType).toBe('pre_release');
  });

  it('Incident Response from the shortcut (SEV1): Ghabs and Atlas told, diagnosis with the Tier 2 lead, Post-Mortem by Atlas + OpsCommander', async () => {
    const msg = h.fake.addMessage({
      channel: 'CINC',
      user: 'UREPORTER',
      text: 'Checkout API returns 500 for all users',
    });
    await h.driver.messageShortcut({
      callbackId: CALLBACK.declareIncident,
      userId: REQUESTER,
      channelId: 'CINC',
      message: { ts: msg.ts, text: msg.text!, user: 'UREPORTER' },
    });
    const view = await h.fake.waitFor((f) =>
      f.views.find((v) => v.callback_id === CALLBACK.declareIncidentModal && v.history.length > 1),
    );
    const answer = await submit(h, view, REQUESTER, {
      [BLOCK.title]: { [BLOCK.title]: textInput('Checkout API down') },
      [BLOCK.description]: {
        [BLOCK.description]: textInput(
          String((view.view.blocks as { element?: { initial_value?: string } }[])[1]?.element?.initial_value),
        ),
      },
      [BLOCK.severity]: { [BLOCK.severity]: selectedOption('sev1') },
      [BLOCK.service]: { [BLOCK.service]: textInput('checkout API') },
      [BLOCK.userData]: { [BLOCK.userData]: selectedOption('no') },
    });
    expect(answer).toBeNull();
    const run = await postedRun(h, (await newestRun(h)).id);
    expect(run.chain).toBe('incident');
    const done = await walk(h, run.id, [
      step('detect', [u('OpsCommander')]),
      step('assess_severity', [u('OpsCommander')], select(BLOCK.severity, 'sev1')),
      step('notify', [u('OpsCommander')]),
      step('diagnose', [u('BackendLead'), u('OpsCommander')]),
      step('mitigate', [u('OpsCommander')]),
      step('breach_assessment', [u('Privacy')], select(BLOCK.userDataExposed, 'no')),
      // Permanent Fix runs the Bug Fix workflow from Fix, as a linked run.
      {
        key: 'permanent_fix',
        by: [],
        linked: [
          step('fix', [u('BackendLead')]),
          step('verify', [u('QAGuard')]),
          step('deploy', [u('OpsCommander')]),
          step('document', [u('Scribe')]),
        ],
      },
      step('post_mortem', [u('Atlas'), u('OpsCommander')]),
      step('document', [u('Scribe')]),
    ]);
    expect(handoffs(h, done).map((x) => x.step)).toEqual([
      'detect',
      'assess_severity',
      'notify',
      'diagnose',
      'mitigate',
      'breach_assessment',
      'post_mortem',
      'document',
    ]);
    expect(handoffs(h, done).find((x) => x.step === 'post_mortem')?.mentions).toEqual(
      [u('Atlas'), u('OpsCommander')].sort(),
    );
    const stored = await expectFinished(done);
    expect(stored.severity).toBe('sev1');
    // Both threads link each other: the incident's to the Bug Fix's root, and back.
    const [fix] = linksOf(stored);
    const bug = await postedRun(h, fix!.runId);
    expect(bug).toMatchObject({ chain: 'bug', severity: 'critical', status: 'done' });
    const incidentThread = threadOf(h, stored)
      .map((m) => visibleText(m))
      .join('\n');
    expect(incidentThread).toMatch(/Permanent Fix\*? runs as/);
    expect(incidentThread).toContain(`/archives/${bug.channelId}/p${bug.rootTs!.replace('.', '')}`);
    expect(incidentThread).toMatch(/Permanent Fix\*? done by @ProjectLead/);
    const bugThread = threadOf(h, bug)
      .map((m) => visibleText(m))
      .join('\n');
    expect(bugThread).toContain(`started by`);
    expect(bugThread).toContain(stored.id);
    expect(visibleText(h.fake.message(bug.channelId!, bug.rootTs!)!)).toContain(`Part of`);
    expect(stored.steps.find((s) => s.key === 'post_mortem')?.spec.required).toBe(true);
  });

  it('Cross-Project Change from /lead change: API contract leads in parallel; Compliance Check skipped by @Privacy with a reason', async () => {
    await h.driver.slashCommand({
      text: 'change Change the API contract of the orders endpoint',
      userId: REQUESTER,
      channelId: 'CCHG',
    });
    const run = await postedRun(h, (await newestRun(h)).id);
    expect(run.id).toMatch(/^CHG-\d+$/);
    const leads = ['BackendLead', 'MobileLead', 'FrontendLead'].map(u);
    const done = await walk(h, run.id, [
      // Any Tier 2 lead proposes (the requester leads no project): one of them is enough.
      step('propose', [u('MobileLead')]),
      step('impact_analysis', [u('Architect')]),
      step('design', [u('Architect'), ...leads]),
      step('implement', leads),
      step('contract_tests', [u('QAGuard')]),
      { key: 'compliance_check', by: [], skipBy: u('Privacy') },
      step('coordinated_deploy', [u('OpsCommander')]),
      step('document', [u('Scribe')]),
    ]);
    expect(handoffs(h, done)).toEqual([
      { step: 'propose', mentions: [...leads].sort() },
      { step: 'impact_analysis', mentions: [u('Architect')] },
      { step: 'design', mentions: [u('Architect'), ...leads].sort() },
      { step: 'implement', mentions: [...leads].sort() },
      { step: 'contract_tests', mentions: [u('QAGuard')] },
      { step: 'compliance_check', mentions: [u('Privacy')] },
      { step: 'coordinated_deploy', mentions: [u('OpsCommander')] },
      { step: 'document', mentions: [u('Scribe')] },
    ]);
    const stored = await expectFinished(done);
    expect(stored.steps.find((s) => s.key === 'compliance_check')?.status).toBe('skipped');
    expect(stored.changeType).toBe('api_contract');
  });

  it('Compliance Review from /lead audit: @Privacy with the leads of the scoped projects; remediation verified by @Privacy; @Ghabs gets the report', async () => {
    await h.driver.slashCommand({
      text: 'audit Quarterly compliance review of data retention',
      userId: REQUESTER,
      channelId: 'CAUD',
    });
    const run = await postedRun(h, (await newestRun(h)).id);
    expect(run.id).toMatch(/^AUD-\d+$/);
    const leads = [u('FrontendLead'), u('BackendLead')];
    const done = await walk(h, run.id, [
      step('scope', [u('Privacy')], multiSelect(BLOCK.projects, ['web', 'backend'])),
      step('data_flow_audit', [u('Privacy'), ...leads]),
      step('risk_assessment', [u('Privacy')]),
      step('findings_report', [u('Privacy')]),
      step('remediation_plan', [u('Architect'), ...leads]),
      step('remediation', [...leads, u('Privacy')]),
      step('re_audit', [u('Privacy')]),
      step('report_to_ceo', [u('Privacy'), u('Ghabs')]),
      step('document', [u('Scribe')]),
    ]);
    expect(handoffs(h, done)).toEqual([
      { step: 'scope', mentions: [u('Privacy')] },
      { step: 'data_flow_audit', mentions: [u('Privacy'), ...leads].sort() },
      { step: 'risk_assessment', mentions: [u('Privacy')] },
      { step: 'findings_report', mentions: [u('Privacy')] },
      { step: 'remediation_plan', mentions: [u('Architect'), ...leads].sort() },
      { step: 'remediation', mentions: [...leads].sort() },
      { step: 'remediation', mentions: [u('Privacy')] },
      { step: 're_audit', mentions: [u('Privacy')] },
      { step: 'report_to_ceo', mentions: [u('Privacy')] },
      { step: 'report_to_ceo', mentions: [u('Ghabs')] },
      { step: 'document', mentions: [u('Scribe')] },
    ]);
    await expectFinished(done);
  });
});
