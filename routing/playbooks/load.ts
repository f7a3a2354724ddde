// Loading playbooks: YAML files validated by the zod schema. A bad file stops the load with
// the file, the path inside it and what is wrong.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { linkProblems } from './links.ts';
import { type Playbook, playbookSchema } from './schema.ts';

export const BUILTIN_PLAYBOOKS_DIR = fileURLToPath(new URL('.', import.meta.url));
/** Teams' chains shipped with the bot (the Algorithm Change chain of seed 000). */
export const TEAM_PLAYBOOKS_DIR = fileURLToPath(new URL('./teams/', import.meta.url));

/** The folders the bot loads: the six built-in chains, the shipped teams' chains, PLAYBOOKS_DIR. */
export function playbookDirs(extra?: string | null): string[] {
  return [BUILTIN_PLAYBOOKS_DIR, TEAM_PLAYBOOKS_DIR, ...(extra ? [extra] : [])];
}

export class PlaybookError extends Error {
  readonly code = 'playbook_invalid';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'PlaybookError';
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(top level)';
}

export function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** Parse and validate one playbook file's text. `knownRoles` checks every role name used. */
export function parsePlaybook(text: string, file: string, knownRoles?: ReadonlySet<string>): Playbook {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new PlaybookError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${e.message.split('\n')[0]}`;
      }),
    );
  }
  const parsed = playbookSchema.safeParse(doc.toJS());
  if (!parsed.success) throw new PlaybookError(file, formatZodIssues(parsed.error));
  const playbook = parsed.data;
  if (knownRoles) {
    const problems = unknownRoles(playbook, withDeclared(knownRoles, [playbook]));
    if (problems.length > 0) throw new PlaybookError(file, problems);
  }
  return playbook;
}

/** The known roles and the roles the playbooks declare. */
function withDeclared(known: ReadonlySet<string>, playbooks: readonly Playbook[]): Set<string> {
  return new Set([...known, ...playbooks.flatMap((p) => Object.keys(p.roles ?? {}))]);
}

function unknownRoles(p: Playbook, known: ReadonlySet<string>): string[] {
  const lower = new Set([...known].map((r) => r.toLowerCase()));
  const problems: string[] = [];
  for (const [role, def] of Object.entries(p.roles ?? {})) {
    for (const [tier, target] of Object.entries(def.escalation)) {
      if (target && !lower.has(target.toLowerCase()))
        problems.push(`roles.${role}.escalation.${tier}: unknown role "${target}"`);
    }
  }
  const check = (refs: readonly string[], path: string) => {
    refs.forEach((r, i) => {
      if (!r.startsWith('$') && !lower.has(r.toLowerCase()))
        problems.push(`${path}[${i}]: unknown role "${r}"`);
    });
  };
  p.steps.forEach((s, i) => {
    check(s.owners, `steps[${i}].owners`);
    check(s.approvers, `steps[${i}].approvers`);
    check(s.fallbackOwners, `steps[${i}].fallbackOwners`);
  });
  p.rules.forEach((r, i) => {
    r.steps.forEach((e, j) => {
      for (const field of ['owners', 'addOwners', 'approvers', 'watchers'] as const) {
        const v = e[field];
        if (v) check(v, `rules[${i}].steps[${j}].${field}`);
      }
    });
    r.notify.forEach((n, j) => check(n.roles, `rules[${i}].notify[${j}].roles`));
  });
  p.severities?.bug?.forEach((s, i) => {
    check(s.escalationPath, `severities.bug[${i}].escalationPath`);
    check(s.notify, `severities.bug[${i}].notify`);
  });
  p.severities?.incident?.forEach((s, i) => check(s.notify, `severities.incident[${i}].notify`));
  p.releaseTypes?.types.forEach((t, i) => check(t.approvers, `releaseTypes.types[${i}].approvers`));
  p.changePatterns?.patterns.forEach((c, i) => check(c.leads, `changePatterns.patterns[${i}].leads`));
  return problems;
}

function yamlFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new PlaybookError(dir, [
      `cannot read the folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  return names
    .filter((n) => /\.ya?ml$/i.test(n))
    .sort()
    .map((n) => join(dir, n))
    .filter((f) => statSync(f).isFile());
}

/**
 * Load the built-in chains, then every YAML file in `extraDirs` (teams' own chains). A chain
 * whose id matches a built-in one replaces it. Ids, prefixes and commands must be unique.
 */
export function loadPlaybooks(
  options: {
    dirs?: string[];
    knownRoles?: ReadonlySet<string>;
    /** Check the links between the chains loaded (off when they link to chains loaded apart). */
    checkLinks?: boolean;
  } = {},
): Playbook[] {
  const dirs = options.dirs ?? [BUILTIN_PLAYBOOKS_DIR];
  const byId = new Map<string, { playbook: Playbook; file: string }>();
  for (const dir of dirs) {
    for (const file of yamlFiles(dir)) {
      const playbook = parsePlaybook(readFileSync(file, 'utf8'), file);
      byId.set(playbook.id, { playbook, file });
    }
  }
  // Role names are checked once every chain is read: a chain may use a role another declares.
  if (options.knownRoles) {
    const known = withDeclared(
      options.knownRoles,
      [...byId.values()].map((v) => v.playbook),
    );
    for (const { playbook, file } of byId.values()) {
      const problems = unknownRoles(playbook, known);
      if (problems.length > 0) throw new PlaybookError(file, problems);
    }
  }
  const seen = { prefix: new Map<string, string>(), command: new Map<string, string>() };
  for (const { playbook, file } of byId.values()) {
    for (const field of ['prefix', 'command'] as const) {
      const other = seen[field].get(playbook[field]);
      if (other) {
        throw new PlaybookError(file, [
          `${field}: "${playbook[field]}" is already used by ${basename(other)}`,
        ]);
      }
      seen[field].set(playbook[field], file);
    }
  }
  const playbooks = [...byId.values()].map((v) => v.playbook);
  if (options.checkLinks !== false) {
    const problems = linkProblems(playbooks);
    if (problems.length > 0) {
      const first = problems[0]!.split(':')[0]!;
      throw new PlaybookError(byId.get(first)?.file ?? 'playbooks', problems);
    }
  }
  return playbooks;
}

/**
 * The chains the bot runs and the role directory they need: the playbooks in `dirs`, checked
 * against the directory's roles and the roles they declare, and the directory with those roles.
 */
export function loadChains<D extends { names: string[]; withDeclaredRoles(p: Playbook[]): D }>(
  directory: D,
  dirs: string[],
): { playbooks: Playbook[]; directory: D } {
  const playbooks = loadPlaybooks({ dirs, knownRoles: new Set(directory.names) });
  return { playbooks, directory: directory.withDeclaredRoles(playbooks) };
}
