// The playbook schema: an SOP chain as data. Validated with zod at load; published as JSON
// Schema (routing/playbooks/playbook.schema.json) so editors can check playbook files.
import { z } from 'zod';
import {
  BUG_SEVERITIES,
  FLAGS,
  type Flag,
  INCIDENT_SEVERITIES,
  RELEASE_TYPES,
  type ReleaseType,
  SEVERITIES,
  type Severity,
} from '../vocabulary.ts';

const id = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'use lower_snake_case letters, digits and _ starting with a letter');

/**
 * An owner: a role name (e.g. `Atlas`) or a token resolved at start:
 * `$tier2` the Tier 2 leads of the affected projects, `$allTier2` every Tier 2 lead,
 * `$requester` whoever made the request, `$requesterTier2` the requester when they hold a
 * Tier 2 lead role (SOP "Any Tier 2 Lead"), else the affected projects' leads,
 * `$changeLeads` the cross-project pattern's leads (who coordinate the change).
 */
const ownerRef = z
  .string()
  .regex(
    /^(\$(tier2|allTier2|requester|requesterTier2|changeLeads)|[A-Za-z][A-Za-z0-9]*)$/,
    'a role name or $tier2, $allTier2, $requester, $requesterTier2, $changeLeads',
  );

/** Who a step falls back to when its owners and its own fallback resolve to nobody. */
export const DEFAULT_FALLBACK_OWNERS: readonly string[] = ['ProjectLead'];

/** A condition on the request. Every key given must hold; `any` holds when one branch holds. */
export interface Condition {
  anyFlag?: Flag[];
  allFlags?: Flag[];
  noFlag?: Flag[];
  severity?: Severity[];
  releaseType?: ReleaseType[];
  changeType?: string[];
  auditType?: string[];
  minProjects?: number;
  any?: Condition[];
  not?: Condition;
}
export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z
    .strictObject({
      anyFlag: z.array(z.enum(FLAGS)).min(1).optional(),
      allFlags: z.array(z.enum(FLAGS)).min(1).optional(),
      noFlag: z.array(z.enum(FLAGS)).min(1).optional(),
      severity: z.array(z.enum(SEVERITIES)).min(1).optional(),
      releaseType: z.array(z.enum(RELEASE_TYPES)).min(1).optional(),
      changeType: z.array(id).min(1).optional(),
      auditType: z.array(id).min(1).optional(),
      minProjects: z.number().int().min(1).optional(),
      any: z.array(conditionSchema).min(1).optional(),
      not: conditionSchema.optional(),
    })
    .refine((c) => Object.keys(c).length > 0, 'a condition needs at least one key'),
);

export const gateSchema = z.strictObject({
  /** What the gate checks, as the SOP words it. */
  check: z.string().min(1),
  /** A failed gate blocks the run until it is unblocked. */
  canBlock: z.boolean().default(true),
  /** The gate may reject the run outright (e.g. "rejects if infeasible"). */
  canReject: z.boolean().default(false),
  /**
   * A pass or a rejection by an agent (a bot user) waits until a person on the deciding role's
   * escalation path confirms it (Go/No-Go and the Compliance gates say so).
   */
  confirmAgents: z.boolean().optional(),
});

/** Changes a rule makes to a step when its condition holds. */
const stepEffectSchema = z.strictObject({
  step: id,
  /** Replace the step's owners. */
  owners: z.array(ownerRef).min(1).optional(),
  /** Add owners (each delivers in parallel). */
  addOwners: z.array(ownerRef).min(1).optional(),
  /** Replace the approvers (who confirm after the owners). */
  approvers: z.array(ownerRef).optional(),
  /** Roles told at the handoff (coordinators), without having to act. */
  watchers: z.array(ownerRef).min(1).optional(),
  /** A line shown with the step at handoff. */
  note: z.string().min(1).optional(),
  /** Make the step mandatory: never skipped, automatically or by hand. */
  require: z.boolean().optional(),
  /** Skip the step at start. */
  skip: z.boolean().optional(),
});

/** A notification the playbook requires: these roles are told, in the thread and directly. */
const notifySchema = z.strictObject({
  roles: z.array(ownerRef).min(1),
  /** When: at start, or when the given step is handed off. */
  at: z.union([z.literal('start'), id]).default('start'),
  reason: z.string().min(1),
});

export const ruleSchema = z.strictObject({
  id,
  /** The SOP's wording of the rule. */
  description: z.string().min(1),
  when: conditionSchema,
  steps: z.array(stepEffectSchema).default([]),
  notify: z.array(notifySchema).default([]),
});

const skipSchema = z.strictObject({
  /** Skipped automatically at start when this holds. */
  when: conditionSchema.optional(),
  /** Skipped automatically at start unless this holds (and then mandatory). */
  unless: conditionSchema.optional(),
  /** An owner or an admin may skip it by hand, with a reason. */
  manual: z.boolean().default(false),
  /** Never skipped when this holds, automatically or by hand. */
  requiredWhen: conditionSchema.optional(),
  /** Why, as the SOP words it. */
  reason: z.string().min(1).optional(),
});

/** Run facts a step's owner records when completing it (e.g. Triage sets the severity). */
export const COLLECTABLE = [
  'severity',
  'projects',
  'release_type',
  'user_data_exposed',
  'notification_sent',
] as const;

/**
 * A step that runs as a run of another chain (a linked run) and waits for it: the step is done
 * when that run is done, and blocked while it is blocked (Incident Response's Permanent Fix "follows
 * Bug Fix workflow (steps 4–7)").
 */
export const linkSchema = z.strictObject({
  /** The chain the linked run follows. */
  chain: id,
  /** Its first step; the steps before it are recorded as done from this run. Default: its first. */
  entry: id.optional(),
  /** Only when this holds at handoff; otherwise the step's owners do it themselves. */
  when: conditionSchema.optional(),
  /** The linked run's severity, from this run's (sev2: high). */
  severity: z.partialRecord(z.enum(SEVERITIES), z.enum(SEVERITIES)).optional(),
  /** The linked run's audit type (a Compliance Review's scope). */
  auditType: id.optional(),
  /**
   * Steps of the linked run before its entry, recorded with the output of a step of this run
   * (`root_cause_analysis: diagnose`); the others are recorded as taken from this run.
   */
  record: z.record(id, id).optional(),
  /** What the linked run is called ("Permanent fix"): its title is this, then this run's. */
  title: z.string().min(1).optional(),
});

export const stepSchema = z.strictObject({
  key: id,
  title: z.string().min(1),
  owners: z.array(ownerRef).min(1),
  approvers: z.array(ownerRef).default([]),
  /**
   * Fallback owners when a token resolves to nobody (e.g. no project known yet); when these
   * resolve to nobody too, DEFAULT_FALLBACK_OWNERS.
   */
  fallbackOwners: z.array(ownerRef).default([...DEFAULT_FALLBACK_OWNERS]),
  /**
   * One delivery by any of the owners completes the owners' part (SOP "Any Tier 2 Lead");
   * by default each owner delivers (parallel work).
   */
  anyOwner: z.boolean().default(false),
  output: z.string().min(1).nullable(),
  gate: gateSchema.nullable().default(null),
  skip: skipSchema.default({ manual: false }),
  collects: z.array(z.enum(COLLECTABLE)).default([]),
  /** Kind of deadline for clocks: where the SOP gives one, severities decide. */
  deadline: z.enum(['standard', 'severity']).default('severity'),
  /**
   * The step is due this long after it is handed off (`P7D`, `PT48H`): its owners are
   * reminded then, and escalated after (a retrospective "within one week of launch").
   */
  completeWithin: z
    .string()
    .regex(/^P(\d+D)?(T(\d+H)?(\d+M)?)?$/, 'an ISO-8601 duration in days, hours or minutes (P7D, PT48H)')
    .refine((v) => /\d/.test(v), 'an ISO-8601 duration in days, hours or minutes (P7D, PT48H)')
    .optional(),
  /** The step runs as a linked run of another chain and waits for it. */
  link: linkSchema.optional(),
});

const bugSeveritySchema = z.strictObject({
  id: z.enum(BUG_SEVERITIES),
  label: z.string(),
  response: z.string(),
  /** Machine form of the response time: ISO-8601 duration, or a named horizon. */
  responseWithin: z.union([
    z.literal('immediate'),
    z.literal('next_sprint'),
    z.literal('backlog'),
    z.string().regex(/^PT\d+[HM]$/),
  ]),
  escalation: z.string(),
  escalationPath: z.array(ownerRef).min(1),
  /** Roles told at start. */
  notify: z.array(ownerRef).default([]),
  bypassQueue: z.boolean().default(false),
});

const incidentSeveritySchema = z.strictObject({
  id: z.enum(INCIDENT_SEVERITIES),
  label: z.string(),
  definition: z.string(),
  response: z.string(),
  responseWithin: z.union([
    z.literal('immediate'),
    z.literal('next_business_day'),
    z.string().regex(/^PT\d+[HM]$/),
  ]),
  communication: z.string(),
  notify: z.array(ownerRef).default([]),
});

const releaseTypeSchema = z.strictObject({
  id: z.enum(RELEASE_TYPES),
  label: z.string(),
  description: z.string(),
  qaDepth: z.string(),
  privacyReview: z.string(),
  /** When the privacy review is mandatory for this type. `always` or a condition. */
  privacyReviewRequired: z.union([z.literal('always'), conditionSchema]),
  approval: z.string(),
  approvers: z.array(ownerRef).min(1),
  fastTrack: z.boolean().default(false),
});

const changePatternSchema = z.strictObject({
  id,
  label: z.string(),
  coordination: z.string(),
  leads: z.array(ownerRef).min(1),
  deployOrder: z.array(z.string()).min(1),
});

const auditTypeSchema = z.strictObject({
  id,
  label: z.string(),
  frequency: z.string(),
  scope: z.string(),
});

const riskDomainSchema = z.strictObject({
  id,
  label: z.string(),
  checks: z.array(z.string()).min(1),
});

const declaredRoleName = z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a role name: letters and digits');

/** A role a team's chain brings: the directory gains it, `role set` maps it to people. */
export const declaredRoleSchema = z.strictObject({
  title: z.string().min(1),
  /** Its escalation path (direct lead → cross-functional lead → exec), as in roles.yml. */
  escalation: z
    .strictObject({
      direct: declaredRoleName.optional(),
      crossFunctional: declaredRoleName.optional(),
      exec: declaredRoleName.optional(),
    })
    .default({}),
});

/** A team's chain: at least this many example requests for the classifier to route by. */
export const MIN_EXAMPLES = 3;

export const playbookSchema = z
  .strictObject({
    id,
    title: z.string().min(1),
    /** Run ID prefix, e.g. FEAT → FEAT-3. */
    prefix: z.string().regex(/^[A-Z]{2,6}$/, 'two to six capital letters'),
    /** `/lead <command> …` starts this chain. */
    command: id,
    trigger: z.string().min(1),
    flow: z.string().optional(),
    steps: z.array(stepSchema).min(1),
    rules: z.array(ruleSchema).default([]),
    severities: z
      .strictObject({
        bug: z.array(bugSeveritySchema).optional(),
        incident: z.array(incidentSeveritySchema).optional(),
      })
      .optional(),
    releaseTypes: z
      .strictObject({
        /** The type assumed until one is recorded. */
        default: z.enum(RELEASE_TYPES),
        /** The steps the type acts on: QA depth, privacy review, approval. */
        steps: z.strictObject({ qa: id, privacyReview: id, approval: id }),
        types: z.array(releaseTypeSchema).min(1),
      })
      .optional(),
    changePatterns: z
      .strictObject({
        /** The step that shows the pattern's deploy order. */
        deployStep: id,
        patterns: z.array(changePatternSchema).min(1),
      })
      .optional(),
    auditTypes: z.array(auditTypeSchema).optional(),
    riskDomains: z.array(riskDomainSchema).optional(),
    keyRules: z.array(z.string()).default([]),
    /** Roles this chain brings that the directory may lack (name → title, escalation). */
    roles: z.record(declaredRoleName, declaredRoleSchema).optional(),
    /**
     * Requests this chain is for, in the requesters' words: the classifier routes a request
     * like one of them here, and asks when it is only somewhat like them.
     */
    examples: z
      .array(z.string().trim().min(10, 'an example request of at least 10 characters'))
      .min(MIN_EXAMPLES)
      .optional(),
  })
  .superRefine((p, ctx) => {
    const keys = new Set<string>();
    p.steps.forEach((s, i) => {
      if (keys.has(s.key)) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'key'], message: `duplicate step key "${s.key}"` });
      }
      keys.add(s.key);
    });
    const stepRef = (key: string, path: (string | number)[]) => {
      if (!keys.has(key))
        ctx.addIssue({ code: 'custom', path, message: `no step "${key}" in this playbook` });
    };
    if (p.releaseTypes) {
      for (const [k, v] of Object.entries(p.releaseTypes.steps)) stepRef(v, ['releaseTypes', 'steps', k]);
    }
    if (p.changePatterns) stepRef(p.changePatterns.deployStep, ['changePatterns', 'deployStep']);
    p.steps.forEach((s, i) => {
      for (const [k, from] of Object.entries(s.link?.record ?? {}))
        stepRef(from, ['steps', i, 'link', 'record', k]);
    });
    p.rules.forEach((r, i) => {
      r.steps.forEach((e, j) => {
        if (!keys.has(e.step)) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i, 'steps', j, 'step'],
            message: `no step "${e.step}" in this playbook`,
          });
        }
      });
      r.notify.forEach((n, j) => {
        if (n.at !== 'start' && !keys.has(n.at)) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i, 'notify', j, 'at'],
            message: `no step "${n.at}" in this playbook`,
          });
        }
      });
    });
  });

export type Playbook = z.infer<typeof playbookSchema>;
export type PlaybookStep = z.infer<typeof stepSchema>;
export type PlaybookRule = z.infer<typeof ruleSchema>;
export type Gate = z.infer<typeof gateSchema>;
export type StepLink = z.infer<typeof linkSchema>;
export type DeclaredRole = z.infer<typeof declaredRoleSchema>;
export type BugSeverity = z.infer<typeof bugSeveritySchema>;
export type IncidentSeverity = z.infer<typeof incidentSeveritySchema>;
export type ReleaseTypeRow = z.infer<typeof releaseTypeSchema>;
export type ChangePattern = z.infer<typeof changePatternSchema>;
