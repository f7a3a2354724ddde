// A team's own chain from PLAYBOOKS_DIR: its declared role can be mapped with `role set`, its
// five example requests route requests like them to it, a request only somewhat like them is
// asked about, and `playbooks validate` checks the examples and their collisions.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { classify } from '../../../routing/classifier/classify.ts';
import { buildExampleIndex, classifyRequest, EXAMPLE_ASK } from '../../../routing/classifier/team-chains.ts';
import { loadPlaybooks, playbookDirs } from '../../../routing/playbooks/load.ts';
import { loadCoreConfig } from '../../../src/config.ts';
import { type Core, createCore } from '../../../src/core.ts';
import { BLIND_CORPORA, FINAL_CORPORA, loadCorpus } from '../../../tools/classifier/corpora.ts';
import { cli } from '../../support/cli.ts';
import { ADMIN, TestClock } from '../../support/engine.ts';

const VENDOR_CHAIN = `
id: vendor_onboarding
title: Vendor Onboarding
prefix: VEND
command: vendor
trigger: A new supplier or vendor to be approved and set up.
roles:
  ProcurementLead:
    title: Procurement lead
    escalation: { direct: Business, exec: Ghabs }
steps:
  - key: request
    title: Vendor Request
    owners: [$requester]
    output: Vendor name, purpose, annual spend
    deadline: standard
  - key: security_review
    title: Security Review
    owners: [Privacy]
    output: Vendor security questionnaire reviewed
    deadline: standard
  - key: contract
    title: Contract
    owners: [ProcurementLead]
    output: Signed contract and purchase order
    deadline: standard
examples:
  - "Onboard a new vendor: Acme Translations for localization, annual spend about 20k"
  - "We need procurement to approve a new supplier contract for cloud cost monitoring software"
  - "Please set up the vendor Brightwave as a supplier, purchase order and security questionnaire needed"
  - "New supplier request: a freelance illustrator agency, contract and purchase order for the marketing team"
  - "Vendor approval for a payroll provider, they need the security questionnaire and a signed contract"
`;

function teamDir(text = VENDOR_CHAIN): string {
  const dir = mkdtempSync(join(tmpdir(), 'projectlead-chains-'));
  writeFileSync(join(dir, 'vendor.yml'), text);
  return dir;
}

let cores: Core[] = [];
afterEach(async () => {
  for (const c of cores) await c.close();
  cores = [];
});

async function core(dir: string) {
  const c = await createCore(
    loadCoreConfig({ DATABASE_URL: ':memory:', ADMIN_USER_IDS: ADMIN, PLAYBOOKS_DIR: dir }),
    { clock: new TestClock().now },
  );
  cores.push(c);
  return c;
}

const request = (text: string) => ({
  text,
  requester: 'UREQ',
  channelId: 'CTEAM',
  source: 'slash' as const,
});

describe("a team's chain with declared roles and examples", () => {
  it('when its declared role is set, then the directory knows it with its escalation path', async () => {
    const c = await core(teamDir());
    expect(c.directory.escalationPath('ProcurementLead')).toEqual(['Business', 'Ghabs']);
    const admin = await c.actors.resolve({ kind: 'slack_user', userId: ADMIN });
    const { holding } = await c.verbs.set_role({
      actor: admin,
      input: { role: 'procurementlead', members: ['UBUYER'] },
    });
    expect(holding).toMatchObject({ role: 'ProcurementLead', holders: ['UBUYER'] });
  });

  it.each([
    'Onboard a new vendor: Lingua Ltd for subtitles, annual spend about 15k',
    'procurement needs to approve a new supplier contract for our analytics software',
    'set up the vendor Northwind as a supplier, purchase order and security questionnaire please',
  ])('when a request is like its examples (%s), then that chain starts', async (text) => {
    const c = await core(teamDir());
    const outcome = await c.requests.submit(request(text));
    expect(outcome.kind).toBe('started');
    if (outcome.kind !== 'started') return;
    expect(outcome.run.chain).toBe('vendor_onboarding');
    expect(outcome.run.id).toBe('VEND-1');
    expect(outcome.classification.explanation).toMatch(/Vendor Onboarding: the request is like its example/);
  });

  it('when a request is only somewhat like them, then the requester is asked, the team chain offered first', async () => {
    const c = await core(teamDir());
    const text = 'new supplier for office chairs, contract needed';
    const outcome = await c.requests.submit(request(text));
    expect(outcome.kind).toBe('ask');
    if (outcome.kind !== 'ask') return;
    expect(outcome.choices[0]).toBe('vendor_onboarding');
    expect(outcome.choices.length).toBeGreaterThanOrEqual(2);
    // Picking it starts it, and the pick is one more example: the same request now starts it.
    const requester = await c.actors.resolve({ kind: 'slack_user', userId: 'UREQ' });
    const { run } = await c.requests.chooseChain(requester, outcome.pendingId, 'vendor_onboarding');
    expect(run.chain).toBe('vendor_onboarding');
    const again = await c.requests.submit(request('new supplier for office desks, contract needed'));
    expect(again).toMatchObject({ kind: 'started', run: { chain: 'vendor_onboarding' } });
  });

  it('when a request is far from its examples, then the six chains answer as before', async () => {
    const c = await core(teamDir());
    const text = 'The checkout page crashes when I press Pay on Safari';
    expect(await c.requests.classifyText(text)).toEqual(classify(text));
    const outcome = await c.requests.submit(request(text));
    expect(outcome).toMatchObject({ kind: 'started', run: { chain: 'bug' } });
  });
});

describe("the six chains' blind sets with the teams' chains' examples on", () => {
  it('when every blind and final-check request is classified with the shipped examples, then no answer differs', () => {
    const shipped = loadPlaybooks({ dirs: playbookDirs() });
    const examples = buildExampleIndex(
      shipped.flatMap((p) => (p.examples ?? []).map((text) => ({ chain: p.id, text }))),
    );
    expect(examples.size).toBeGreaterThanOrEqual(5);
    let total = 0;
    const differ: string[] = [];
    for (const name of [...BLIND_CORPORA, ...FINAL_CORPORA]) {
      for (const { request: r } of loadCorpus(name)) {
        total++;
        // Only a request near some example can be answered differently.
        if ((examples.nearest(r.text)[0]?.similarity ?? 0) < EXAMPLE_ASK) continue;
        const before = classify(r.text);
        if (JSON.stringify(classifyRequest(r.text, { examples })) !== JSON.stringify(before))
          differ.push(r.text);
      }
    }
    expect(total).toBeGreaterThan(5000);
    expect(differ).toEqual([]);
  });
});

describe('projectlead playbooks validate', () => {
  it('when the examples are fine, then it says how many route the chain', async () => {
    const { code, out } = await cli(['playbooks', 'validate', teamDir()], { DATABASE_URL: ':memory:' });
    expect(code).toBe(0);
    expect(out).toMatch(/vendor_onboarding \(5 examples\)/);
  });

  it("when two chains' examples collide, then it names both and fails", async () => {
    const dir = teamDir();
    writeFileSync(
      join(dir, 'suppliers.yml'),
      VENDOR_CHAIN.replace('id: vendor_onboarding', 'id: supplier_setup')
        .replace('prefix: VEND', 'prefix: SUPP')
        .replace('command: vendor', 'command: supplier')
        .replace(
          / {2}ProcurementLead:\n {4}title: Procurement lead\n {4}escalation: \{ direct: Business, exec: Ghabs \}\n/,
          '  Buyer:\n    title: Buyer\n',
        ),
    );
    const { code, err } = await cli(['playbooks', 'validate', dir], { DATABASE_URL: ':memory:' });
    expect(code).toBe(1);
    expect(err).toMatch(
      /supplier_setup and vendor_onboarding: examples collide|vendor_onboarding and supplier_setup: examples collide/,
    );
  });

  it('when an example says too little, then it is named', async () => {
    const dir = teamDir(
      VENDOR_CHAIN.replace(
        'Onboard a new vendor: Acme Translations for localization, annual spend about 20k',
        'please do the vendor thing',
      ),
    );
    const { code, err } = await cli(['playbooks', 'validate', dir], { DATABASE_URL: ':memory:' });
    expect(code).toBe(1);
    expect(err).toMatch(/vendor_onboarding: examples\[0\] says too little/);
  });
});
