// The severity proposed for an incident opened from an alert: a documented, configurable mapping
// (routing/alert-severity.yml) from what the alert says (a level named outright, its urgency,
// whether the service is down or degraded) to SEV1..SEV3. Pure: the caller reads the file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { formatZodIssues } from './playbooks/load.ts';
import { INCIDENT_SEVERITIES } from './vocabulary.ts';

export const ALERT_LEVELS = ['critical', 'error', 'warning', 'info'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];
export const ALERT_STATES = ['down', 'degraded'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

export const DEFAULT_ALERT_SEVERITY_FILE = fileURLToPath(new URL('./alert-severity.yml', import.meta.url));

const mappingSchema = z.strictObject({
  explicitLabels: z.array(z.string().min(1)).default([]),
  rules: z.array(
    z.strictObject({
      level: z.enum(ALERT_LEVELS).optional(),
      state: z.enum(ALERT_STATES).optional(),
      severity: z.enum(INCIDENT_SEVERITIES),
    }),
  ),
  default: z.enum(INCIDENT_SEVERITIES),
  stateWords: z
    .strictObject({
      down: z.array(z.string().min(1)).default([]),
      degraded: z.array(z.string().min(1)).default([]),
    })
    .default({ down: [], degraded: [] }),
});

export type AlertSeverityMapping = z.infer<typeof mappingSchema>;

export interface AlertFacts {
  level: AlertLevel | null;
  state: AlertState | null;
  labels: Record<string, string>;
  /** Title and summary, where words can tell the state. */
  text: string;
}

export interface ProposedSeverity {
  severity: IncidentSeverity;
  /** Why, in words: shown with the proposal. */
  because: string;
}

export function parseAlertSeverityMapping(text: string, file = 'alert-severity.yml'): AlertSeverityMapping {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = mappingSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: ${formatZodIssues(parsed.error).join('; ')}`);
  return parsed.data;
}

export function loadAlertSeverityMapping(file: string = DEFAULT_ALERT_SEVERITY_FILE): AlertSeverityMapping {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `${file}: cannot read the alert severity file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return parseAlertSeverityMapping(text, file);
}

/** `sev1`, `SEV-1`, `P1` → sev1 (P4 and below are not incidents' levels: none). */
export function explicitSeverity(value: string): IncidentSeverity | null {
  const m = /^\s*(?:sev[\s_-]?|p)([123])\s*$/i.exec(value);
  return m ? (`sev${m[1]}` as IncidentSeverity) : null;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const hasWord = (text: string, word: string) => new RegExp(`\\b${escapeRegExp(word)}\\b`, 'i').test(text);

/** Down or degraded, from a `state`/`impact` label or from the words of the alert. */
export function alertState(mapping: AlertSeverityMapping, facts: AlertFacts): AlertState | null {
  if (facts.state) return facts.state;
  for (const key of ['state', 'impact', 'status']) {
    const v = facts.labels[key]?.toLowerCase();
    if (v === 'down' || v === 'degraded') return v;
  }
  if (mapping.stateWords.down.some((w) => hasWord(facts.text, w))) return 'down';
  if (mapping.stateWords.degraded.some((w) => hasWord(facts.text, w))) return 'degraded';
  return null;
}

export function proposeSeverity(mapping: AlertSeverityMapping, facts: AlertFacts): ProposedSeverity {
  for (const label of mapping.explicitLabels) {
    const value = Object.entries(facts.labels).find(([k]) => k.toLowerCase() === label.toLowerCase())?.[1];
    const named = value ? explicitSeverity(value) : null;
    if (named) return { severity: named, because: `the alert's ${label} label says ${value}` };
  }
  const state = alertState(mapping, facts);
  for (const rule of mapping.rules) {
    if (rule.level && rule.level !== facts.level) continue;
    if (rule.state && rule.state !== state) continue;
    const said = [rule.level ? `a ${rule.level} alert` : 'an alert', rule.state ? `service ${state}` : null];
    return { severity: rule.severity, because: said.filter(Boolean).join(', ') };
  }
  return { severity: mapping.default, because: 'the default for alerts' };
}
