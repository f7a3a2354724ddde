// The role directory's shape: role names, default holders, escalation paths (direct lead →
// cross-functional lead → exec), the project → Tier 2 lead map and the independence rule.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { formatZodIssues } from './playbooks/load.ts';
import type { Playbook } from './playbooks/schema.ts';

export const DEFAULT_ROLES_FILE = fileURLToPath(new URL('./roles.yml', import.meta.url));

const roleName = z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a role name: letters and digits');
/** A Slack user (`U…`/`W…`) or user group (`S…`). */
export const principalSchema = z
  .string()
  .regex(/^[UWS][A-Z0-9]{2,}$/, 'a Slack user ID (U…) or user group ID (S…)');

/** `PT10M`, `PT2H`: a window of minutes or hours. */
const windowSchema = z
  .string()
  .regex(/^PT\d+[HM]$/, 'an ISO 8601 duration in minutes or hours (PT10M, PT2H)');

const roleSchema = z.strictObject({
  title: z.string().default(''),
  holders: z.array(principalSchema).default([]),
  tier2: z.boolean().default(false),
  /**
   * The role's own clocks (an agent answers in minutes): the acknowledgement window and the
   * completion window of its steps, instead of the chain's. Reminded at 10/12 and escalated at
   * 14/12 of the acknowledgement window; reminded at 3/4, due at, escalated at 5/4 and 7/4 of
   * the completion window.
   */
  /** Every gate passed or rejected by an agent holding this role waits for a person's confirmation. */
  confirmAgents: z.boolean().default(false),
  windows: z
    .strictObject({ acknowledge: windowSchema.optional(), complete: windowSchema.optional() })
    .optional(),
  escalation: z
    .strictObject({
      direct: roleName.optional(),
      crossFunctional: roleName.optional(),
      exec: roleName.optional(),
    })
    .default({}),
});

export const roleDirectorySchema = z
  .strictObject({
    roles: z.record(roleName, roleSchema),
    projects: z.record(z.string(), roleName).default({}),
    independence: z.strictObject({ roles: z.array(roleName), riskAcceptor: roleName }).default({
      roles: ['Privacy'],
      riskAcceptor: 'Ghabs',
    }),
  })
  .superRefine((d, ctx) => {
    const names = new Set(Object.keys(d.roles));
    const need = (name: string, path: (string | number)[]) => {
      if (!names.has(name)) ctx.addIssue({ code: 'custom', path, message: `unknown role "${name}"` });
    };
    for (const [role, def] of Object.entries(d.roles)) {
      for (const [tier, target] of Object.entries(def.escalation)) {
        if (target) need(target, ['roles', role, 'escalation', tier]);
      }
    }
    for (const [project, lead] of Object.entries(d.projects)) need(lead, ['projects', project]);
    d.independence.roles.forEach((r, i) => need(r, ['independence', 'roles', i]));
    need(d.independence.riskAcceptor, ['independence', 'riskAcceptor']);
  });

export type RoleDirectoryConfig = z.infer<typeof roleDirectorySchema>;

export class RoleDirectory {
  private readonly canonical = new Map<string, string>();
  constructor(readonly config: RoleDirectoryConfig) {
    for (const name of Object.keys(config.roles)) this.canonical.set(name.toLowerCase(), name);
  }

  get names(): string[] {
    return Object.keys(this.config.roles);
  }

  /** The role's canonical name, matched case-insensitively (with or without `@`), or null. */
  resolve(name: string): string | null {
    return this.canonical.get(name.replace(/^@/, '').toLowerCase()) ?? null;
  }

  get tier2(): string[] {
    return this.names.filter((n) => this.config.roles[n]?.tier2);
  }

  leadForProject(project: string): string | null {
    return this.config.projects[project] ?? null;
  }

  /** The escalation path in order: direct lead → cross-functional lead → exec. */
  escalationPath(role: string): string[] {
    const e = this.config.roles[role]?.escalation;
    if (!e) return [];
    return [e.direct, e.crossFunctional, e.exec].filter((r): r is string => Boolean(r));
  }

  isIndependent(role: string | null | undefined): boolean {
    return role != null && this.config.independence.roles.includes(role);
  }

  get riskAcceptor(): string {
    return this.config.independence.riskAcceptor;
  }

  /** Whether an agent's gate decisions for this role need a person's confirmation (roles.yml). */
  confirmsAgents(role: string): boolean {
    return this.config.roles[role]?.confirmAgents ?? false;
  }

  /** The role's own clock windows (`PT10M`), when roles.yml gives them. */
  windows(role: string): { acknowledge?: string; complete?: string } | null {
    return this.config.roles[role]?.windows ?? null;
  }

  defaultHolders(role: string): string[] {
    return this.config.roles[role]?.holders ?? [];
  }

  /**
   * The directory with the roles teams' chains declare and it lacks (held by nobody until
   * `role set`); a role it already has keeps its own definition.
   */
  withDeclaredRoles(chains: readonly Pick<Playbook, 'roles'>[]): RoleDirectory {
    const roles = { ...this.config.roles };
    let added = false;
    for (const chain of chains) {
      for (const [name, def] of Object.entries(chain.roles ?? {})) {
        if (this.resolve(name) !== null || roles[name]) continue;
        roles[name] = {
          title: def.title,
          holders: [],
          tier2: false,
          confirmAgents: false,
          escalation: { ...def.escalation },
        };
        added = true;
      }
    }
    return added ? new RoleDirectory({ ...this.config, roles }) : this;
  }
}

export function parseRoleDirectory(text: string, file: string): RoleDirectory {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = roleDirectorySchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: ${formatZodIssues(parsed.error).join('; ')}`);
  return new RoleDirectory(parsed.data);
}

export function loadRoleDirectory(file: string = DEFAULT_ROLES_FILE): RoleDirectory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `${file}: cannot read the roles file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return parseRoleDirectory(text, file);
}
