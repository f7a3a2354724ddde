// The facts a step collects (Triage: severity and projects; Assess Severity; the breach
// assessment), one schema and one check for every surface: the `facts` input of the
// `complete_step` verb (API, MCP, Slack's form) and the plain text of a thread reply (`key: value`
// lines after the verb, or a fenced JSON block). A wrong value is an error naming the valid ones.
import { z } from 'zod';
import type { Playbook } from '../../routing/playbooks/schema.ts';
import {
  BUG_SEVERITIES,
  INCIDENT_SEVERITIES,
  PROJECTS,
  RELEASE_TYPES,
  SEVERITIES,
} from '../../routing/vocabulary.ts';
import type { CollectedFacts } from '../domain/run-machine.ts';
import type { Run, Step } from '../domain/types.ts';
import { ValidationError } from '../errors.ts';

export const factsInput = z.object({
  severity: z.enum(SEVERITIES).nullish(),
  projects: z.array(z.string()).optional(),
  release_type: z.enum(RELEASE_TYPES).nullish(),
  user_data_exposed: z.boolean().optional(),
  notification_sent: z.boolean().optional(),
});

export type FactsInput = z.input<typeof factsInput>;
export type FactKey = keyof FactsInput;

export const FACT_KEYS: readonly FactKey[] = [
  'severity',
  'projects',
  'release_type',
  'user_data_exposed',
  'notification_sent',
];

/** `Release type`, `release-type`, `release_type` → `release_type`; null when not a fact. */
function factKey(word: string): FactKey | null {
  const k = word
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return (FACT_KEYS as readonly string[]).includes(k) ? (k as FactKey) : null;
}

const YES = new Set(['yes', 'y', 'true', 'exposed', 'sent']);
const NO = new Set(['no', 'n', 'false', 'none', 'not exposed', 'not sent']);

/** One `key: value` line's value, as the schema takes it (a list, a yes/no). */
function typedValue(key: FactKey, raw: string): unknown {
  const v = raw.trim().replace(/^`|`$/g, '');
  if (key === 'projects') {
    return v
      .split(/[,\s]+/)
      .map((p) => p.trim().toLowerCase())
      .filter(Boolean);
  }
  if (key === 'user_data_exposed' || key === 'notification_sent') {
    const w = v.toLowerCase();
    if (YES.has(w)) return true;
    if (NO.has(w)) return false;
    throw new ValidationError('bad_facts', `${key}: "${v}" is not yes or no.`);
  }
  return v.toLowerCase();
}

/** What a field accepts, for an error message. */
const VALID: Record<FactKey, string> = {
  severity: SEVERITIES.join(', '),
  projects: PROJECTS.join(', '),
  release_type: RELEASE_TYPES.join(', '),
  user_data_exposed: 'yes, no',
  notification_sent: 'yes, no',
};

/** Facts as the verb takes them, checked by its schema; a bad field names the valid values. */
export function validFacts(raw: unknown): FactsInput {
  const parsed = factsInput.safeParse(raw);
  if (parsed.success) return raw as FactsInput;
  const issue = parsed.error.issues[0];
  const key = String(issue?.path[0] ?? '');
  const known = (FACT_KEYS as readonly string[]).includes(key);
  const value = known ? (raw as Record<string, unknown>)[key] : undefined;
  const shown = Array.isArray(value) ? value.join(', ') : String(value);
  throw new ValidationError(
    'bad_facts',
    known
      ? `${key}: "${shown}" is not valid. Valid values: ${VALID[key as FactKey]}.`
      : `The facts are malformed (${issue?.message ?? 'invalid'}).`,
  );
}

export interface ParsedFactsText {
  /** The text without the facts (the step's output), or null when nothing is left. */
  output: string | null;
  /** The facts given, or null when none were. */
  facts: FactsInput | null;
}

const FENCE = /```(?:json)?\s*\n?([\s\S]*?)```/i;

/**
 * Split what follows `done` into the output and the facts: a fenced JSON object (its keys as
 * the verb's `facts`), or lines `key: value` whose key is a fact (`severity: critical`,
 * `projects: web, backend`, `user data exposed: no`). Other lines are the output, untouched
 * (`Approved: brief is in the doc` stays output).
 */
export function parseFactsText(text: string): ParsedFactsText {
  let rest = text;
  let raw: Record<string, unknown> | null = null;
  const fence = FENCE.exec(rest);
  if (fence) {
    let json: unknown;
    try {
      json = JSON.parse(fence[1] ?? '');
    } catch (err) {
      throw new ValidationError('bad_facts', `The JSON block does not parse: ${(err as Error).message}.`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new ValidationError('bad_facts', 'The JSON block must be an object of facts.');
    raw = {};
    for (const [k, v] of Object.entries(json)) {
      const key = factKey(k);
      if (!key)
        throw new ValidationError('bad_facts', `"${k}" is not a fact. Facts: ${FACT_KEYS.join(', ')}.`);
      raw[key] = typeof v === 'string' ? typedValue(key, v) : v;
    }
    rest = rest.replace(fence[0], '');
  }
  const kept: string[] = [];
  for (const line of rest.split('\n')) {
    const m = /^\s*[-•*]?\s*([A-Za-z][A-Za-z _-]*?)\s*[:=]\s*(.+?)\s*$/.exec(line);
    const key = m ? factKey(m[1]!) : null;
    if (m && key) {
      raw ??= {};
      raw[key] = typedValue(key, m[2]!);
    } else kept.push(line);
  }
  const output = kept.join('\n').trim();
  return { output: output || null, facts: raw ? validFacts(raw) : null };
}

/** The severities a run of this playbook takes. */
function severitiesOf(run: Pick<Run, 'chain'>, playbook: Playbook | undefined): readonly string[] {
  const incident = playbook?.severities?.incident?.map((s) => s.id);
  const bug = playbook?.severities?.bug?.map((s) => s.id);
  return incident ?? bug ?? (run.chain === 'incident' ? INCIDENT_SEVERITIES : BUG_SEVERITIES);
}

/**
 * The facts fit the step: each is one it collects, with a value its chain takes (a bug's
 * severity is critical…low, an incident's sev1…sev3; projects are the known ones).
 */
export function checkStepFacts(
  facts: FactsInput,
  run: Pick<Run, 'chain' | 'id'>,
  step: Pick<Step, 'title' | 'spec'>,
  playbook: Playbook | undefined,
): void {
  const collects = new Set<string>(step.spec.collects);
  for (const key of FACT_KEYS) {
    const value = facts[key];
    if (value === undefined || value === null) continue;
    if (!collects.has(key)) {
      throw new ValidationError(
        'bad_facts',
        collects.size > 0
          ? `${step.title} collects ${[...collects].join(', ')}, not ${key}.`
          : `${step.title} collects no facts (${key} was given).`,
      );
    }
  }
  if (facts.severity) {
    const valid = severitiesOf(run, playbook);
    if (!valid.includes(facts.severity))
      throw new ValidationError(
        'bad_facts',
        `severity: "${facts.severity}" is not a severity of ${run.id}. Valid values: ${valid.join(', ')}.`,
      );
  }
  for (const p of facts.projects ?? []) {
    if (!(PROJECTS as readonly string[]).includes(p))
      throw new ValidationError(
        'bad_facts',
        `projects: "${p}" is not a project. Valid values: ${PROJECTS.join(', ')}.`,
      );
  }
}

/** The verb's facts as the run machine takes them. */
export function collectedFacts(f: z.output<typeof factsInput>): CollectedFacts {
  return {
    ...(f.severity !== undefined ? { severity: f.severity } : {}),
    ...(f.projects ? { projects: f.projects } : {}),
    ...(f.release_type !== undefined ? { releaseType: f.release_type } : {}),
    ...(f.user_data_exposed !== undefined ? { userDataExposed: f.user_data_exposed } : {}),
    ...(f.notification_sent !== undefined ? { notificationSent: f.notification_sent } : {}),
  };
}

/** What checking a step's facts reads: the run and the playbooks. */
interface RunReader {
  getRun(runId: string): Promise<Run>;
  playbooks: readonly Playbook[];
}

/** Check the facts given for a step of a run (the current step when no key is given). */
export async function checkFactsOfStep(
  runs: RunReader,
  runId: string,
  stepKey: string | undefined,
  facts: FactsInput,
): Promise<void> {
  if (!Object.values(facts).some((v) => v !== undefined && v !== null)) return;
  const run = await runs.getRun(runId);
  const step = stepKey
    ? run.steps.find((s) => s.key === stepKey)
    : run.steps.find((s) => s.status === 'active');
  // No such step: the verb itself says so.
  if (step)
    checkStepFacts(
      facts,
      run,
      step,
      runs.playbooks.find((p) => p.id === run.chain),
    );
}
