// `projectlead playbooks [--json]` (the loaded chains) and `playbooks validate <dir>`.
import { BUILTIN_PLAYBOOKS_DIR, loadPlaybooks } from '../../../routing/playbooks/load.ts';
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
    const loaded = loadPlaybooks({ dirs: [dir], knownRoles });
    print(io, `${loaded.length} playbook(s) valid in ${dir}: ${loaded.map((p) => p.id).join(', ')}`);
    return 0;
  }
  const dirs = [BUILTIN_PLAYBOOKS_DIR, ...(config.PLAYBOOKS_DIR ? [config.PLAYBOOKS_DIR] : [])];
  const playbooks = loadPlaybooks({ dirs, knownRoles });
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
