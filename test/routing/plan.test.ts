import { describe, expect, it } from 'vitest';
import { planRun, type RunFacts } from '../../routing/plan.ts';
import { loadPlaybooks } from '../../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../../routing/roles.ts';
import type { Flag } from '../../routing/vocabulary.ts';

const directory = loadRoleDirectory();
const playbooks = new Map(loadPlaybooks({ knownRoles: new Set(directory.names) }).map((p) => [p.id, p]));

function plan(chain: string, facts: Partial<RunFacts> = {}) {
  const full: RunFacts = {
    flags: [],
    severity: null,
    releaseType: null,
    changeType: null,
    auditType: null,
    projects: [],
    ...facts,
  };
  const p = planRun(playbooks.get(chain)!, full, directory);
  const step = (key: string) => {
    const s = p.steps.find((x) => x.key === key);
    if (!s) throw new Error(`no step ${key}`);
    return s;
  };
  return { ...p, step };
}

const flags = (...f: Flag[]) => ({ flags: f });

describe('New Feature', () => {
  it('when the change is backend-only, then UX Design is skipped', () => {
    expect(plan('feature', flags('backend_only')).step('ux_design').skipped).toBe(true);
    expect(plan('feature').step('ux_design').skipped).toBe(false);
  });

  it.each<Flag>([
    'user_data',
    'payments',
    'analytics',
  ])('when the feature touches %s, then the Compliance Gate is mandatory', (flag) => {
    const p = plan('feature', flags(flag));
    expect(p.step('compliance_gate')).toMatchObject({ skipped: false, required: true, manualSkip: false });
    expect(p.notices.map((n) => [n.roles, n.at])).toContainEqual([['Privacy'], 'start']);
  });

  it('when the feature touches no data, then the Compliance Gate is skipped with the SOP reason', () => {
    const s = plan('feature').step('compliance_gate');
    expect(s.skipped).toBe(true);
    expect(s.skipReason).toMatch(/mandatory if the feature touches user data/);
  });

  it('when one project is affected, then its Tier 2 lead implements and ProjectLead routes', () => {
    const s = plan('feature', { projects: ['mobile'] }).step('implementation');
    expect(s.owners).toEqual(['MobileLead']);
    expect(s.notes.join()).toMatch(/@ProjectLead routes/);
  });

  it('when no project is known yet, then ProjectLead owns Implementation to route it', () => {
    expect(plan('feature').step('implementation').owners).toEqual(['ProjectLead']);
  });

  it('when several projects are affected, then their leads implement in parallel and Architect coordinates', () => {
    const s = plan('feature', { projects: ['web', 'backend'] }).step('implementation');
    expect(s.owners).toEqual(['FrontendLead', 'BackendLead']);
    expect(s.watchers).toEqual(['Architect']);
    expect(
      plan('feature', { flags: ['multi_project'], projects: ['web'] }).step('implementation').watchers,
    ).toEqual(['Architect']);
  });

  it('when the feature is growth-related, then GrowthLead defines metrics and Privacy reviews tracking', () => {
    const p = plan('feature', flags('growth'));
    expect(p.step('vision_scope').owners).toEqual(['Ghabs', 'GrowthLead']);
    expect(p.step('compliance_gate')).toMatchObject({ skipped: false, required: true });
    expect(p.step('compliance_gate').notes.join()).toMatch(/reviews the tracking/);
  });

  it('when the feature is funnel-related, then WebDirector owns the strategy and FrontendLead + ContentLead implement', () => {
    const p = plan('feature', { flags: ['funnel'], projects: ['backend'] });
    expect(p.step('vision_scope').owners).toEqual(['Ghabs', 'WebDirector']);
    expect(p.step('implementation').owners).toEqual(['FrontendLead', 'ContentLead']);
  });
});

describe('Bug Fix', () => {
  it('when a bug is reported, then the requester owns the Report and the Tier 2 lead of the project owns RCA and Fix', () => {
    const p = plan('bug', { projects: ['web'] });
    expect(p.step('report').owners).toEqual(['Requester']);
    expect(p.step('root_cause_analysis').owners).toEqual(['FrontendLead']);
    expect(p.step('fix').owners).toEqual(['FrontendLead']);
  });

  it('when the bug is Critical, then ProjectLead, Atlas and OpsCommander are told at once, bypassing the queue', () => {
    const p = plan('bug', { severity: 'critical' });
    expect(p.notices).toContainEqual(
      expect.objectContaining({ roles: ['ProjectLead', 'Atlas', 'OpsCommander'], at: 'start' }),
    );
    expect(p.summary[0]).toMatch(
      /Critical: response Immediate; escalation @ProjectLead → @Atlas → @OpsCommander \(bypass normal queue\)/,
    );
    expect(p.step('triage').notes).toContain('Critical: bypass the normal queue.');
  });

  it.each([
    ['high', /High: response < 24h; escalation @ProjectLead → Tier 2 Lead/],
    ['medium', /Medium: response Next sprint; escalation @ProjectLead → Tier 2 Lead/],
    ['low', /Low: response Backlog; escalation @ProjectLead tracks/],
  ] as const)('when the bug is %s, then the plan states its response and escalation and tells no one at once', (severity, line) => {
    const p = plan('bug', { severity });
    expect(p.summary[0]).toMatch(line);
    expect(p.notices.filter((n) => n.at === 'start')).toEqual([]);
  });

  it('when the bug is a security bug, then Privacy is told at triage to assess breach risk', () => {
    const p = plan('bug', flags('security'));
    expect(p.notices).toContainEqual(expect.objectContaining({ roles: ['Privacy'], at: 'triage' }));
    expect(p.step('triage').watchers).toEqual(['Privacy']);
  });

  it('when the bug is a payment bug, then Privacy and QuantArchitect investigate together', () => {
    expect(plan('bug', flags('payments')).step('root_cause_analysis').owners).toEqual([
      'Privacy',
      'QuantArchitect',
    ]);
  });

  it('when the bug spans projects, then Architect coordinates the fix across leads', () => {
    const p = plan('bug', { projects: ['web', 'mobile'] });
    expect(p.step('root_cause_analysis').watchers).toEqual(['Architect']);
    expect(p.step('fix')).toMatchObject({ owners: ['FrontendLead', 'MobileLead'], watchers: ['Architect'] });
  });
});

describe('Incident Response', () => {
  it.each([
    ['sev1', ['Ghabs', 'Atlas'], true],
    ['sev2', ['Atlas'], true],
    ['sev3', ['ProjectLead'], false],
  ] as const)('when the incident is %s, then %j are told and the post-mortem required is %s', (severity, told, required) => {
    const p = plan('incident', { severity });
    expect(p.notices.filter((n) => n.at === 'start').map((n) => n.roles)).toEqual([told]);
    expect(p.step('post_mortem').required).toBe(required);
    expect(p.step('post_mortem').manualSkip).toBe(!required);
    expect(p.step('post_mortem').skipped).toBe(false);
  });

  it('when user data may be involved, then the Breach Assessment cannot be skipped', () => {
    expect(plan('incident', flags('user_data')).step('breach_assessment')).toMatchObject({
      required: true,
      manualSkip: false,
    });
    expect(plan('incident').step('breach_assessment')).toMatchObject({ required: false, manualSkip: true });
  });

  it('when the incident is diagnosed, then the affected lead and OpsCommander diagnose in parallel', () => {
    expect(plan('incident', { projects: ['backend'], severity: 'sev2' }).step('diagnose').owners).toEqual([
      'BackendLead',
      'OpsCommander',
    ]);
  });
});

describe('Release', () => {
  it('when the release is major, then QA runs the full suite, the privacy review is mandatory and Ghabs approves after Atlas', () => {
    const p = plan('release', { releaseType: 'major' });
    expect(p.step('full_qa_pass').notes).toContain('QA depth (Major): Full suite.');
    expect(p.step('pre_release_audit')).toMatchObject({ skipped: false, required: true });
    expect(p.step('go_no_go')).toMatchObject({ owners: ['Atlas'], approvers: ['Ghabs'] });
  });

  it('when the release is minor and touches no data, then QA covers affected projects, privacy is skipped and Atlas approves', () => {
    const p = plan('release', { releaseType: 'minor' });
    expect(p.step('full_qa_pass').notes).toContain('QA depth (Minor): Affected projects only.');
    expect(p.step('pre_release_audit')).toMatchObject({ skipped: true, required: false });
    expect(p.step('go_no_go')).toMatchObject({ owners: ['Atlas'], approvers: [] });
  });

  it('when a minor release touches user data, then the privacy review is mandatory', () => {
    expect(
      plan('release', { releaseType: 'minor', flags: ['user_data'] }).step('pre_release_audit').required,
    ).toBe(true);
  });

  it('when a hotfix is security-related, then the privacy review is mandatory; otherwise it is skipped', () => {
    expect(
      plan('release', { releaseType: 'hotfix', flags: ['security'] }).step('pre_release_audit').required,
    ).toBe(true);
    const p = plan('release', { releaseType: 'hotfix' });
    expect(p.step('pre_release_audit').skipped).toBe(true);
    expect(p.step('full_qa_pass').notes).toContain('QA depth (Hotfix): Targeted tests only.');
    expect(p.step('go_no_go').notes).toContain('Approval (Hotfix): @Atlas (fast-track).');
  });

  it('when no release type is given, then the plan assumes minor', () => {
    expect(plan('release').releaseType).toBe('minor');
  });

  it('when the code is frozen, then every Tier 2 lead delivers and ProjectLead confirms', () => {
    expect(plan('release').step('code_freeze')).toMatchObject({
      owners: ['FrontendLead', 'BackendLead', 'MobileLead', 'ContentLead'],
      approvers: ['ProjectLead'],
    });
  });
});

describe('Cross-Project Change', () => {
  it('when the API contract changes, then Backend, Mobile and Frontend leads design and implement in parallel, deploying Backend → Frontend → Mobile', () => {
    const p = plan('cross_project', { changeType: 'api_contract' });
    expect(p.step('design').owners).toEqual(['Architect', 'BackendLead', 'MobileLead', 'FrontendLead']);
    expect(p.step('implement').owners).toEqual(['BackendLead', 'MobileLead', 'FrontendLead']);
    expect(p.step('coordinated_deploy').notes).toContain(
      'Deploy order (API contract change): Backend → Frontend → Mobile.',
    );
  });

  it('when design tokens change, then design and all consumer leads coordinate and the consumer leads implement', () => {
    const p = plan('cross_project', { changeType: 'design_tokens' });
    expect(p.step('design').owners).toEqual([
      'Architect',
      'ProductDesigner',
      'FrontendLead',
      'MobileLead',
      'ContentLead',
    ]);
    expect(p.step('implement').owners).toEqual(['FrontendLead', 'MobileLead', 'ContentLead']);
    expect(p.step('implement').watchers).toEqual(['ProductDesigner']);
    expect(p.step('coordinated_deploy').notes).toContain(
      'Deploy order (Design token update): Design system → all consumers.',
    );
  });

  it('when the data model migrates, then Backend, Quant and Cloud leads coordinate, BackendLead implements and the compliance check is mandatory', () => {
    const p = plan('cross_project', { changeType: 'data_model' });
    expect(p.step('design').owners).toEqual(['Architect', 'BackendLead', 'QuantArchitect', 'CloudArch']);
    expect(p.step('implement').owners).toEqual(['BackendLead']);
    expect(p.step('implement').watchers).toEqual(['QuantArchitect', 'CloudArch']);
    expect(p.step('compliance_check').required).toBe(true);
    expect(p.step('coordinated_deploy').notes).toContain(
      'Deploy order (Data model migration): DB migration → Backend → Functions.',
    );
  });

  it('when a shared dependency is upgraded, then Architect and the affected leads coordinate and the affected leads implement', () => {
    const p = plan('cross_project', { changeType: 'dependency_upgrade', projects: ['web', 'mobile'] });
    expect(p.step('design').owners).toEqual(['Architect', 'FrontendLead', 'MobileLead']);
    expect(p.step('implement').owners).toEqual(['FrontendLead', 'MobileLead']);
    expect(p.step('implement').watchers).toEqual(['Architect']);
  });

  it('when a users-table migration is read by web, backend and mobile, then the pattern’s leads coordinate and every affected project’s Tier 2 lead implements', () => {
    const p = plan('cross_project', { changeType: 'data_model', projects: ['web', 'backend', 'mobile'] });
    expect(p.step('design').owners).toEqual([
      'Architect',
      'BackendLead',
      'QuantArchitect',
      'CloudArch',
      'FrontendLead',
      'MobileLead',
    ]);
    expect(p.step('implement').owners).toEqual(['FrontendLead', 'BackendLead', 'MobileLead']);
    expect(p.step('implement').watchers).toEqual(['QuantArchitect', 'CloudArch']);
    expect(p.step('implement').notes.join()).toMatch(/pattern's leads coordinate/);
    expect(p.step('propose')).toMatchObject({
      owners: ['FrontendLead', 'BackendLead', 'MobileLead'],
      anyOwner: true,
    });
    expect(p.step('propose').notes.join()).toMatch(/Any one of @FrontendLead, @BackendLead, @MobileLead/);
  });

  it('when an API contract changes and only the backend is named, then every consumer’s lead still implements (never break a consumer)', () => {
    const p = plan('cross_project', { changeType: 'api_contract', projects: ['backend'] });
    expect(p.step('implement').owners).toEqual(['BackendLead', 'MobileLead', 'FrontendLead']);
    expect(p.step('propose').owners).toEqual(['BackendLead', 'MobileLead', 'FrontendLead']);
  });

  it('when nothing says which projects or pattern, then ProjectLead routes the implementation', () => {
    expect(plan('cross_project').step('implement').owners).toEqual(['ProjectLead']);
    expect(plan('cross_project').step('design').owners).toEqual(['Architect']);
  });

  it('when the requester holds a Tier 2 lead role, then they propose the change', () => {
    const p = plan('cross_project', {
      projects: ['web', 'mobile'],
      requesterRoles: ['Business', 'BackendLead'],
    });
    expect(p.step('propose').owners).toEqual(['Requester']);
  });

  it('when the requester leads no project, then the affected projects’ leads propose; with none known, any Tier 2 lead', () => {
    const affected = plan('cross_project', { projects: ['web', 'mobile'], requesterRoles: ['Architect'] });
    expect(affected.step('propose').owners).toEqual(['FrontendLead', 'MobileLead']);
    expect(plan('cross_project').step('propose').owners).toEqual([
      'FrontendLead',
      'BackendLead',
      'MobileLead',
      'ContentLead',
    ]);
  });

  it('when the change type is unknown, then the affected projects’ leads implement in parallel', () => {
    expect(plan('cross_project', { projects: ['backend', 'web'] }).step('implement').owners).toEqual([
      'BackendLead',
      'FrontendLead',
    ]);
  });
});

describe('Compliance Review', () => {
  it('when the review is quarterly, then every Tier 2 lead joins the data flow audit', () => {
    expect(plan('compliance', { auditType: 'quarterly' }).step('data_flow_audit').owners).toEqual([
      'Privacy',
      'FrontendLead',
      'BackendLead',
      'MobileLead',
      'ContentLead',
    ]);
  });

  it('when projects are named, then only their leads audit, remediate, and Privacy verifies each fix', () => {
    const p = plan('compliance', { projects: ['backend'] });
    expect(p.step('data_flow_audit').owners).toEqual(['Privacy', 'BackendLead']);
    expect(p.step('remediation')).toMatchObject({ owners: ['BackendLead'], approvers: ['Privacy'] });
    expect(p.step('report_to_ceo')).toMatchObject({ owners: ['Privacy'], approvers: ['Ghabs'] });
  });

  it('when the scope is set, then the risk domains are listed', () => {
    expect(plan('compliance').step('scope').notes[0]).toMatch(
      /Financial \(Stripe flow integrity, billing logic, revenue leakage\)/,
    );
  });
});
