import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { createTestEngine, tempDbPath, userFor } from '../support/engine.ts';

describe('projectlead CLI', () => {
  it('when runs --json is asked, then it prints what the engine stored in the database named by DATABASE_URL', async () => {
    const path = tempDbPath('cli');
    const e = await createTestEngine({ path });
    const { run } = await e.runs.startRun({
      chain: 'incident',
      title: 'API down',
      text: 'API down',
      requester: 'UREQ',
      severity: 'sev1',
      channelId: 'C1',
    });
    await e.runs.completeStep(run.id, await e.as(userFor('OpsCommander')), {
      output: '5xx on /api, all users',
    });
    await e.close();

    const { code, out } = await cli(['runs', '--json'], { DATABASE_URL: path });
    expect(code).toBe(0);
    const runs = JSON.parse(out);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      id: 'INC-1',
      chain: 'incident',
      title: 'API down',
      status: 'active',
      severity: 'sev1',
      closedAt: null,
    });
    expect(runs[0].createdAt).toBe('2026-11-02T09:00:00.000Z');
    expect(runs[0].steps[0]).toMatchObject({
      key: 'detect',
      title: 'Detect',
      owners: ['OpsCommander'],
      assignees: ['UOPSCOMMANDER'],
      status: 'done',
      output: '5xx on /api, all users',
    });
    expect(runs[0].steps[1]).toMatchObject({ key: 'assess_severity', status: 'active', completedAt: null });
    expect(runs[0].events.map((x: { type: string }) => x.type)).toEqual([
      'run_started',
      'notified',
      'step_activated',
      'step_completed',
      'step_activated',
    ]);
    expect(runs[0].events[3]).toMatchObject({
      actor: 'UOPSCOMMANDER',
      step: 'detect',
      at: '2026-11-02T09:00:00.000Z',
    });
  });

  it('when playbooks --json is asked, then it prints the six chains and the shipped Algorithm Change chain with steps, owners, outputs and gates', async () => {
    const { code, out } = await cli(['playbooks', '--json'], { DATABASE_URL: tempDbPath('pb') });
    expect(code).toBe(0);
    const chains = JSON.parse(out);
    expect(chains.map((c: { id: string; steps: unknown[] }) => [c.id, c.steps.length])).toEqual([
      ['feature', 9],
      ['bug', 7],
      ['release', 10],
      ['incident', 9],
      ['cross_project', 8],
      ['compliance', 9],
      ['algorithm_change', 6],
    ]);
    expect(chains[0].steps[4]).toMatchObject({
      key: 'implementation',
      owners: ['Tier 2 Lead(s)'],
      output: 'Code, unit tests',
    });
  });

  it('when playbooks --json is asked, then the Cross-Project Change is proposed by any Tier 2 lead and implemented by the affected Tier 2 leads', async () => {
    const { out } = await cli(['playbooks', '--json'], { DATABASE_URL: tempDbPath('pb') });
    const change = JSON.parse(out).find((c: { id: string }) => c.id === 'cross_project');
    const owners = Object.fromEntries(
      change.steps.map((s: { key: string; owners: string[] }) => [s.key, s.owners]),
    );
    expect(owners.propose).toEqual(['Any Tier 2 Lead']);
    expect(owners.design).toEqual(['Architect', "The change pattern's leads", 'Tier 2 Lead(s)']);
    expect(owners.implement).toEqual(['Tier 2 Lead(s)']);
  });

  it('when a folder of playbooks is validated, then a bad file is named with the path and the problem', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'pbv-'));
    writeFileSync(
      join(dir, 'x.yml'),
      'id: x\ntitle: X\nprefix: XX\ncommand: x\ntrigger: t\nsteps:\n  - { key: a, title: A, owners: [Nobody], output: o }\n',
    );
    const bad = await cli(['playbooks', 'validate', dir], { DATABASE_URL: tempDbPath('v') });
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/x\.yml: steps\[0\]\.owners\[0\]: unknown role "Nobody"/);
    writeFileSync(
      join(dir, 'x.yml'),
      'id: x\ntitle: X\nprefix: XX\ncommand: x\ntrigger: t\nsteps:\n  - { key: a, title: A, owners: [Scribe], output: o }\n',
    );
    const good = await cli(['playbooks', 'validate', dir], { DATABASE_URL: tempDbPath('v') });
    expect(good).toMatchObject({ code: 0 });
    expect(good.out).toMatch(/1 playbook\(s\) valid/);
  });

  it('when playbooks link to an unknown chain or step, or their links form a cycle, then validate refuses them', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'pbl-'));
    const chain = (id: string, prefix: string, link: string) =>
      `id: ${id}\ntitle: ${id}\nprefix: ${prefix}\ncommand: ${id}\ntrigger: t\nsteps:\n  - key: a\n    title: A\n    owners: [Scribe]\n    output: o\n    link: ${link}\n`;
    const validate = () => cli(['playbooks', 'validate', dir], { DATABASE_URL: tempDbPath('v') });

    writeFileSync(join(dir, 'x.yml'), chain('x', 'XX', '{ chain: nothing }'));
    let res = await validate();
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/x: steps\[0\]\.link\.chain: there is no chain "nothing"/);

    writeFileSync(
      join(dir, 'x.yml'),
      chain('x', 'XX', '{ chain: bug, entry: repair, record: { verify: a } }'),
    );
    res = await validate();
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/x: steps\[0\]\.link\.entry: bug has no step "repair"/);

    writeFileSync(join(dir, 'x.yml'), chain('x', 'XX', '{ chain: bug, entry: fix, record: { verify: a } }'));
    res = await validate();
    expect(res.err).toMatch(/record\.verify: only steps before the entry \(fix\) are recorded/);

    writeFileSync(join(dir, 'x.yml'), chain('x', 'XX', '{ chain: y }'));
    writeFileSync(join(dir, 'y.yml'), chain('y', 'YY', '{ chain: x }'));
    res = await validate();
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/links form a cycle: x → y → x/);

    rmSync(join(dir, 'y.yml'));
    writeFileSync(
      join(dir, 'x.yml'),
      chain('x', 'XX', '{ chain: bug, entry: fix, record: { root_cause_analysis: a } }'),
    );
    res = await validate();
    expect(res).toMatchObject({ code: 0 });
  });

  it('when roles is asked, then each role, its holders and escalation path are printed', async () => {
    const path = tempDbPath('roles');
    const e = await createTestEngine({ path });
    await e.close();
    const { code, out } = await cli(['roles', '--json'], { DATABASE_URL: path });
    expect(code).toBe(0);
    const roles = JSON.parse(out);
    expect(roles.find((r: { role: string }) => r.role === 'FrontendLead')).toMatchObject({
      holders: ['UFRONTENDLEAD'],
      escalation: ['Architect', 'ProjectLead', 'Atlas'],
    });
  });

  it('when corrections are imported as JSONL, then they are exported again and steer the classifier', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const path = tempDbPath('corr');
    const file = join(mkdtempSync(join(tmpdir(), 'corr-')), 'c.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ text: 'rotate the signing keys for every partner integration', chain: 'cross_project', predicted: 'feature' })}\n`,
    );
    const imported = await cli(['corrections', 'import', file], { DATABASE_URL: path });
    expect(imported.err).toBe('Imported 1 correction(s).\n');
    const exported = await cli(['corrections', 'export'], { DATABASE_URL: path });
    expect(JSON.parse(exported.out.trim())).toMatchObject({
      text: 'rotate the signing keys for every partner integration',
      chain: 'cross_project',
    });
    const classified = await cli(
      ['classify', '--jsonl'],
      { DATABASE_URL: path },
      `${JSON.stringify({ text: 'Rotate the signing keys for every partner integration' })}\n`,
    );
    expect(classified.code).toBe(0);
    expect(JSON.parse(classified.out.trim())).toMatchObject({ chain: 'cross_project', ask: false });
    const bad = await cli(['corrections', 'import', file.replace('c.jsonl', 'missing.jsonl')], {
      DATABASE_URL: path,
    });
    expect(bad.code).toBe(1);
  });

  it('when migrate runs on a new path, then the database is created; an unknown command exits 2', async () => {
    const { existsSync } = await import('node:fs');
    const path = tempDbPath('mig');
    expect((await cli(['migrate'], { DATABASE_URL: `file:${path}` })).code).toBe(0);
    expect(existsSync(path)).toBe(true);
    const unknown = await cli(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    // The usage it shows keeps each command apart from what it does, however long the command.
    const lines = unknown.err.split('\n').filter((l) => l.startsWith('  '));
    expect(lines.length).toBeGreaterThan(20);
    const gap = /\S(\s{2,})\S/.exec(lines[0]!)!;
    const column = gap.index + 1 + gap[1]!.length;
    for (const line of lines) expect(line.slice(column - 2, column), line).toMatch(/^\s{2}$/);
  });
});
