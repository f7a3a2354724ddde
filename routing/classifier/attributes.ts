/**
 * Severity and flags, learned. The hand-written rules (`severity.ts`, the flag rules of
 * `lexicon.ts`) know phrases; on wording they have never seen they fall back to a default
 * ("medium", no flag). A small logistic model reads the same words the chain model reads
 * plus what the rules found (`rule:payments`, `cue:cosmetic`, `sev:high`, `chain:bug`), and
 * learns from every labelled request how much each of them says.
 *
 * One weight row per feature serves every head, so a request costs one Map read per feature:
 * - columns 0..3: a bug's severity (critical, high, medium, low), a softmax;
 * - columns 4..6: an incident's severity (sev1, sev2, sev3), a softmax;
 * - columns 7..14: one logit per flag (FLAG_ORDER), each its own yes/no.
 *
 * A severity the requester states ("P1", "sev2") always wins over the model.
 */
import { type ChainId, FLAG_ORDER, type Flag, type Severity } from './types.ts';

export const BUG_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const satisfies readonly Severity[];
export const INCIDENT_SEVERITIES = ['sev1', 'sev2', 'sev3'] as const satisfies readonly Severity[];
export const BUG_AT = 0;
export const INCIDENT_AT = BUG_SEVERITIES.length;
export const FLAG_AT = INCIDENT_AT + INCIDENT_SEVERITIES.length;
export const WIDTH = FLAG_AT + FLAG_ORDER.length;

export interface AttributeModel {
  /** Feature → WIDTH weights (see the layout above). */
  weights: ReadonlyMap<string, Float64Array>;
  bias: Float64Array;
}

/** "feature<TAB>w0 … w14" a line, the first line "bias<TAB>…" (as `train-model.ts` writes it). */
export function parseAttributeModel(text: string): AttributeModel {
  const weights = new Map<string, Float64Array>();
  let bias = new Float64Array(WIDTH);
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const values = Float64Array.from(line.slice(tab + 1).split(' '), Number);
    const feature = line.slice(0, tab);
    if (feature === 'bias') bias = values;
    else weights.set(feature, values);
  }
  return { weights, bias };
}

/**
 * What the rules found, as features: the chain, each flag rule that fired, and for a bug or
 * an incident the impact-word groups and the rules' own severity.
 */
export function ruleFeatures(
  chain: ChainId | null,
  ruleFlags: Iterable<Flag>,
  cues: readonly string[],
  ruleSeverity: Severity | null,
): string[] {
  const out = [`chain:${chain ?? 'none'}`];
  for (const flag of ruleFlags) out.push(`rule:${flag}`);
  for (const cue of cues) out.push(cue);
  if (ruleSeverity) out.push(`sev:${ruleSeverity}`);
  return out;
}

/** Summed weights of the features (bias included): the logits of every head. */
export function attributeLogits(model: AttributeModel, features: readonly string[]): Float64Array {
  const z = Float64Array.from(model.bias);
  for (const feature of features) {
    const w = model.weights.get(feature);
    if (!w) continue;
    for (let c = 0; c < WIDTH; c++) z[c]! += w[c]!;
  }
  return z;
}

export function pickBugSeverity(z: Float64Array): Severity {
  return BUG_SEVERITIES[argmax(z, BUG_AT, BUG_SEVERITIES.length)]!;
}

export function pickIncidentSeverity(z: Float64Array): Severity {
  return INCIDENT_SEVERITIES[argmax(z, INCIDENT_AT, INCIDENT_SEVERITIES.length)]!;
}

/** Flags whose logit is above `threshold` (0: probability one half). */
export function pickFlags(z: Float64Array, threshold: number): Flag[] {
  return FLAG_ORDER.filter((_, i) => z[FLAG_AT + i]! > threshold);
}

function argmax(z: Float64Array, from: number, count: number): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (z[from + i]! > z[from + best]!) best = i;
  return best;
}
