import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { playbookJsonSchema } from '../../routing/playbooks/json-schema.ts';
import {
  BUILTIN_PLAYBOOKS_DIR,
  loadPlaybooks,
  PlaybookError,
  parsePlaybook,
} from '../../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../../routing/roles.ts';
import { CHAINS, SEVERITIES, SEVERITY_LABELS } from '../../routing/vocabulary.ts';

const directory = loadRoleDirectory();
const knownRoles = new Set(directory.names);
const playbooks = loadPlaybooks({ knownRoles });
const byId = new Map(playbooks.map((p) => [p.id, p]));

// The SOP document's tables: step titles and owners, in order.
const SOP: Record<string, [string, string[]][]> = {
  feature: [
    ['Vision & Scope', ['Ghabs']],
    ['Technical Feasibility', ['Atlas']],
    ['Architecture Design', ['Architect']],
    ['UX Design', ['ProductDesigner']],
    ['Implementation', ['$tier2']],
    ['Quality Gate', ['QAGuard']],
    ['Compliance Gate', ['Privacy']],
    ['Deployment', ['OpsCommander']],
    ['Documentation', ['Scribe']],
  ],
  bug: [
    ['Report', ['$requester']],
    ['Triage', ['ProjectLead']],
    ['Root Cause Analysis', ['$tier2']],
    ['Fix', ['$tier2']],
    ['Verify', ['QAGuard']],
    ['Deploy', ['OpsCommander']],
    ['Document', ['Scribe']],
  ],
  release: [
    ['Release Decision', ['Atlas']],
    ['Code Freeze', ['$allTier2', 'ProjectLead']],
    ['Full QA Pass', ['QAGuard']],
    ['Pre-Release Audit', ['Privacy']],
    ['Changelog & Docs', ['Scribe']],
    ['Staging Deploy', ['OpsCommander']],
    ['Go/No-Go', ['Atlas', 'Ghabs']],
    ['Production Deploy', ['OpsCommander']],
    ['Post-Release Metrics', ['GrowthLead']],
    ['Announce', ['Scribe', 'ContentLead']],
  ],
  incident: [
    ['Detect', ['OpsCommander']],
    ['Assess Severity', ['OpsCommander']],
    ['Notify', ['OpsCommander']],
    ['Diagnose', ['$tier2', 'OpsCommander']],
    ['Mitigate', ['OpsCommander']],
    ['Breach Assessment', ['Privacy']],
    ['Permanent Fix', ['$tier2']],
    ['Post-Mortem', ['Atlas', 'OpsCommander']],
    ['Document', ['Scribe']],
  ],
  cross_project: [
    ['Propose', ['$requesterTier2']],
    ['Impact Analysis', ['Architect']],
    ['Design', ['Architect', '$changeLeads', '$tier2']],
    ['Implement (parallel)', ['$tier2']],
    ['Contract Tests', ['QAGuard']],
    ['Compliance Check', ['Privacy']],
    ['Coordinated Deploy', ['OpsCommander']],
    ['Document', ['Scribe']],
  ],
  compliance: [
    ['Scope', ['Privacy']],
    ['Data Flow Audit', ['Privacy', '$tier2']],
    ['Risk Assessment', ['Privacy']],
    ['Findings Report', ['Privacy']],
    ['Remediation Plan', ['Architect', '$tier2']],
    ['Remediation', ['$tier2', 'Privacy']],
    ['Re-Audit', ['Privacy']],
    ['Report to CEO', ['Privacy', 'Ghabs']],
    ['Document', ['Scribe']],
  ],
};

describe('the six built-in chains', () => {
  it('when loaded, then they come in SOP order with their prefixes and commands', () => {
    expect(playbooks.map((p) => [p.id, p.title, p.prefix, p.command])).toEqual([
      ['feature', 'New Feature', 'FEAT', 'feature'],
      ['bug', 'Bug Fix', 'BUG', 'bug'],
      ['release', 'Release', 'REL', 'release'],
      ['incident', 'Incident Response', 'INC', 'incident'],
      ['cross_project', 'Cross-Project Change', 'CHG', 'change'],
      ['compliance', 'Compliance Review', 'AUD', 'audit'],
    ]);
  });

  it('when loaded, then each is a chain of the vocabulary, with its title, prefix, command and severity labels', () => {
    expect(playbooks.map(({ id, title, prefix, command }) => ({ id, title, prefix, command }))).toEqual(
      CHAINS,
    );
    const severities = playbooks.flatMap((p) => [
      ...(p.severities?.bug ?? []),
      ...(p.severities?.incident ?? []),
    ]);
    expect(severities.map((s) => s.id).sort()).toEqual([...SEVERITIES].sort());
    for (const s of severities) expect(s.label, s.id).toBe(SEVERITY_LABELS[s.id]);
  });

  it.each(
    Object.entries({ feature: 9, bug: 7, release: 10, incident: 9, cross_project: 8, compliance: 9 }),
  )('when %s is loaded, then it has the document step count (%i)', (id, count) => {
    expect(byId.get(id)!.steps).toHaveLength(count);
  });

  it.each(
    Object.keys(SOP),
  )('when %s is loaded, then every step has the document title and owners in order', (id) => {
    const steps = byId.get(id)!.steps.map((s) => [s.title, [...s.owners, ...s.approvers]]);
    expect(steps).toEqual(SOP[id]);
  });

  it('when a step has an output or a gate in the document, then the playbook carries it', () => {
    const feasibility = byId.get('feature')!.steps[1]!;
    expect(feasibility.gate).toEqual({
      check: 'Rejects if infeasible or misaligned',
      canBlock: true,
      canReject: true,
    });
    expect(byId.get('feature')!.steps[8]!.gate).toBeNull();
    expect(byId.get('feature')!.steps[6]!.output).toBe('Privacy impact assessment (if user data involved)');
  });

  it('when the tables are loaded, then every row is represented', () => {
    expect(byId.get('bug')!.severities!.bug!.map((r) => [r.id, r.response, r.escalation])).toEqual([
      ['critical', 'Immediate', '@ProjectLead → @Atlas → @OpsCommander (bypass normal queue)'],
      ['high', '< 24h', '@ProjectLead → Tier 2 Lead'],
      ['medium', 'Next sprint', '@ProjectLead → Tier 2 Lead'],
      ['low', 'Backlog', '@ProjectLead tracks'],
    ]);
    expect(
      byId
        .get('incident')!
        .severities!.incident!.map((r) => [r.id, r.definition, r.response, r.communication]),
    ).toEqual([
      ['sev1', 'Service down, all users affected', 'Immediate, all-hands', '@Ghabs notified'],
      ['sev2', 'Service degraded, partial impact', '< 1h response', '@Atlas notified'],
      ['sev3', 'Minor issue, workaround available', 'Next business day', '@ProjectLead tracks'],
    ]);
    expect(
      byId.get('release')!.releaseTypes!.types.map((t) => [t.id, t.qaDepth, t.privacyReview, t.approval]),
    ).toEqual([
      ['major', 'Full suite', 'Mandatory', '@Ghabs'],
      ['minor', 'Affected projects only', 'If data-touching', '@Atlas'],
      ['hotfix', 'Targeted tests only', 'If security-related', '@Atlas (fast-track)'],
    ]);
    expect(
      byId.get('cross_project')!.changePatterns!.patterns.map((c) => [c.id, c.leads, c.deployOrder]),
    ).toEqual([
      ['api_contract', ['BackendLead', 'MobileLead', 'FrontendLead'], ['Backend', 'Frontend', 'Mobile']],
      [
        'design_tokens',
        ['ProductDesigner', 'FrontendLead', 'MobileLead', 'ContentLead'],
        ['Design system', 'all consumers'],
      ],
      [
        'data_model',
        ['BackendLead', 'QuantArchitect', 'CloudArch'],
        ['DB migration', 'Backend', 'Functions'],
      ],
      ['dependency_upgrade', ['Architect', '$tier2'], ['Coordinated', 'test each project']],
    ]);
    expect(byId.get('compliance')!.auditTypes!.map((a) => a.id)).toEqual([
      'quarterly',
      'pre_release',
      'incident',
      'regulation',
    ]);
    expect(byId.get('compliance')!.riskDomains!.map((d) => d.label)).toEqual([
      'Operational',
      'Financial',
      'Security',
      'Compliance',
      'Reputational',
    ]);
    expect(byId.get('bug')!.rules.map((r) => r.id)).toEqual([
      'security_bug',
      'cross_project_bug',
      'payment_bug',
      'critical_bypass',
    ]);
    expect(byId.get('feature')!.rules.map((r) => r.id)).toEqual([
      'single_project',
      'multi_project',
      'growth',
      'funnel',
      'compliance_flag',
    ]);
  });
});

describe('bad playbook files', () => {
  const file = (name: string, text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'playbooks-'));
    writeFileSync(join(dir, name), text);
    return dir;
  };
  const valid = readFileSync(join(BUILTIN_PLAYBOOKS_DIR, '1-new-feature.yml'), 'utf8');

  const cases: [string, string, RegExp][] = [
    ['a step without owners', valid.replace('    owners: [Atlas]\n', ''), /bad\.yml: steps\[1\]\.owners: /],
    [
      'an unknown role',
      valid.replace('owners: [Atlas]', 'owners: [Atlass]'),
      /bad\.yml: steps\[1\]\.owners\[0\]: unknown role "Atlass"/,
    ],
    [
      'a bad prefix',
      valid.replace('prefix: FEAT', 'prefix: feat'),
      /bad\.yml: prefix: two to six capital letters/,
    ],
    [
      'a duplicate step key',
      valid.replace('key: technical_feasibility', 'key: vision_scope'),
      /steps\[1\]\.key: duplicate step key "vision_scope"/,
    ],
    [
      'a rule on a missing step',
      valid.replace(
        '- step: implementation\n        note: "@ProjectLead',
        '- step: implementaton\n        note: "@ProjectLead',
      ),
      /rules\[0\]\.steps\[0\]\.step: no step "implementaton"/,
    ],
    [
      'an unknown flag',
      valid.replace('anyFlag: [backend_only]', 'anyFlag: [backend]'),
      /steps\[3\]\.skip\.when\.anyFlag\[0\]: /,
    ],
    [
      'an unknown field',
      valid.replace('trigger:', 'trigerr: x\ntrigger:'),
      /bad\.yml: \(top level\): .*trigerr/,
    ],
    ['broken YAML', `${valid}\n  - : [\n`, /bad\.yml: line \d+, column \d+: /],
  ];
  it.each(
    cases,
  )('when a file has %s, then the load stops naming the file, the path and the problem', (_name, text, message) => {
    const dir = file('bad.yml', text);
    expect(() => loadPlaybooks({ dirs: [dir], knownRoles })).toThrow(PlaybookError);
    expect(() => loadPlaybooks({ dirs: [dir], knownRoles })).toThrow(message);
  });

  it('when a team chain reuses a built-in prefix, then the load says which file has it', () => {
    const dir = file(
      'mine.yml',
      valid.replace('id: feature', 'id: my_chain').replace('command: feature', 'command: mine'),
    );
    expect(() => loadPlaybooks({ dirs: [BUILTIN_PLAYBOOKS_DIR, dir], knownRoles })).toThrow(
      /mine\.yml: prefix: "FEAT" is already used by 1-new-feature\.yml/,
    );
  });

  it('when a team drops a valid chain in its folder, then it loads beside the six', () => {
    const breach = `id: data_breach
title: Data Breach Response
prefix: DBR
command: breach
trigger: Suspected breach of personal data.
steps:
  - { key: coordinate, title: Coordinate, owners: [OpsCommander], output: Response coordinated }
  - { key: contain, title: Contain, owners: [CloudArch, BackendLead], output: Breach contained }
  - { key: notify_authority, title: Notification timeline, owners: [Privacy], output: GDPR 72h notification }
  - { key: communicate, title: Communicate, owners: [Atlas], approvers: [Ghabs], output: CEO and customers told }
  - { key: report, title: Incident report, owners: [Scribe], output: Report archived }
`;
    const dir = file('breach.yml', breach);
    const all = loadPlaybooks({ dirs: [BUILTIN_PLAYBOOKS_DIR, dir], knownRoles });
    expect(all.map((p) => p.id)).toContain('data_breach');
    expect(all).toHaveLength(7);
  });

  it('when parsing text directly, then a valid playbook round-trips', () => {
    expect(parsePlaybook(valid, 'x.yml', knownRoles).steps).toHaveLength(9);
  });
});

describe('the published JSON Schema', () => {
  it('when the schema changes, then routing/playbooks/playbook.schema.json is regenerated (npm run playbooks:schema)', () => {
    const committed = JSON.parse(readFileSync(join(BUILTIN_PLAYBOOKS_DIR, 'playbook.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(playbookJsonSchema())));
    expect(committed.required).toEqual(
      expect.arrayContaining(['id', 'title', 'prefix', 'command', 'trigger', 'steps']),
    );
  });
});
