// `projectlead playbooks [--json]` (the loaded chains) and `playbooks validate <dir>`.

import { exampleProblems } from '../../../routing/classifier/index.ts';
import { linkProblems } from '../../../routing/playbooks/links.ts';
import { loadChains, loadPlaybooks, playbookDirs } from '../../../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../../../routing/roles.ts';
import { loadCoreConfig } from '../../config.ts';
import { type CliCommand, print } from '../io.ts';
import { ownerLabel, playbookJson } from '../json.ts';

export const playbooksCommand: CliCommand = async (args, io) => {
  const config = loadCoreConfig(io.env);
  const directory = loadRoleDirectory(config.ROLES_FILE);
  const knownRoles = new Set(directory.names);
  if (args[0] === 'validate') {
    const dir = args[1];
    if (!dir) {
      io.stderr.write('usage: projectlead playbooks validate <dir>\n');
      return 2;
    }
    const loaded = loadPlaybooks({ dirs: [dir], knownRoles, checkLinks: false });
    // Examples and links are checked against every chain the bot would load beside these.
    const ids = new Set(loaded.map((p) => p.id));
    const others = loadChains(directory, playbookDirs()).playbooks.filter((p) => !ids.has(p.id));
    const problems = [
      ...linkProblems([...others, ...loaded], ids),
      ...exampleProblems([...others, ...loaded], ids),
    ];
    if (problems.length > 0) {
      for (const problem of problems) io.stderr.write(`${problem}\n`);
      return 1;
    }
    const routed = loaded
      .filter((p) => p.examples?.length)
      .map((p) => `${p.id} (${p.examples!.length} examples)`);
    print(
      io,
      `${loaded.length} playbook(s) valid in ${dir}: ${loaded.map((p) => p.id).join(', ')}${routed.length > 0 ? `; routed by examples: ${routed.join(', ')}` : ''}`,
    );
    return 0;
  }
  const { playbooks } = loadChains(directory, playbookDirs(config.PLAYBOOKS_DIR));
  if (args.includes('--json')) print(io, JSON.stringify(playbooks.map(playbookJson), null, 2));
  else {
    for (const p of playbooks) {
      print(io, `${p.title} (${p.id}, /lead ${p.command}, ${p.prefix}-n): ${p.steps.length} steps`);
      p.steps.forEach((s, i) =>
        print(io, `  ${i + 1}. ${s.title}: ${[...s.owners, ...s.approvers].map(ownerLabel).join(' → ')}`),
      );
    }
  }
  return 0;
};
