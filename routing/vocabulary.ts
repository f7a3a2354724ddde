// The bot's words, defined once: the built-in chains (id, title, run-ID prefix, `/lead` word),
// request flags, severities, release types, projects and change types. The classifier, the
// playbook schema, the services and every surface use these. Pure data, no imports.
//
// Order matters: the classifier's weights are stored per chain and per flag in this order.

/** The built-in chains (routing/playbooks/*.yml says the same, checked by the playbook tests). */
export const CHAINS = [
  { id: 'feature', title: 'New Feature', prefix: 'FEAT', command: 'feature' },
  { id: 'bug', title: 'Bug Fix', prefix: 'BUG', command: 'bug' },
  { id: 'release', title: 'Release', prefix: 'REL', command: 'release' },
  { id: 'incident', title: 'Incident Response', prefix: 'INC', command: 'incident' },
  { id: 'cross_project', title: 'Cross-Project Change', prefix: 'CHG', command: 'change' },
  { id: 'compliance', title: 'Compliance Review', prefix: 'AUD', command: 'audit' },
] as const;
export type ChainId = (typeof CHAINS)[number]['id'];
export const CHAIN_IDS: readonly ChainId[] = CHAINS.map((c) => c.id);
export const CHAIN_TITLES = Object.fromEntries(CHAINS.map((c) => [c.id, c.title])) as Readonly<
  Record<ChainId, string>
>;

export function isChainId(value: unknown): value is ChainId {
  return typeof value === 'string' && (CHAIN_IDS as readonly string[]).includes(value);
}

/** Every flag a request can carry, in the order a classification lists them. */
export const FLAGS = [
  'user_data',
  'payments',
  'analytics',
  'security',
  'multi_project',
  'growth',
  'funnel',
  'backend_only',
] as const;
export type Flag = (typeof FLAGS)[number];

/** A bug's severities, most severe first. */
export const BUG_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
/** An incident's SEV levels, most severe first. */
export const INCIDENT_SEVERITIES = ['sev1', 'sev2', 'sev3'] as const;
export const SEVERITIES = [...BUG_SEVERITIES, ...INCIDENT_SEVERITIES] as const;
export type Severity = (typeof SEVERITIES)[number];

/** How a severity is shown ("SEV1", "Critical"). */
export const SEVERITY_LABELS: Readonly<Record<Severity, string>> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  sev1: 'SEV1',
  sev2: 'SEV2',
  sev3: 'SEV3',
};

export const RELEASE_TYPES = ['major', 'minor', 'hotfix'] as const;
export type ReleaseType = (typeof RELEASE_TYPES)[number];

export const PROJECTS = ['web', 'backend', 'mobile', 'content'] as const;
export type Project = (typeof PROJECTS)[number];

/** The cross-project change patterns the classifier recognizes. */
export const CHANGE_TYPES = ['api_contract', 'design_tokens', 'data_model', 'dependency_upgrade'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];
