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

import { BUG_SEVERITIES, INCIDENT_SEVERITIES } from '../vocabulary.ts';
import {
  addRow,
  modelFromText,
  NEGATION_SPAN,
  NEGATION_STOPS,
  NEGATORS,
  readModelFile,
  stem,
  type TokenModel,
} from './model.ts';
import type { SeverityReading } from './severity.ts';
import { CHAIN_IDS, type ChainId, FLAG_ORDER, type Flag, type Severity } from './types.ts';

export { BUG_SEVERITIES, INCIDENT_SEVERITIES };
export const BUG_AT = 0;
export const INCIDENT_AT = BUG_SEVERITIES.length;
export const FLAG_AT = INCIDENT_AT + INCIDENT_SEVERITIES.length;
export const WIDTH = FLAG_AT + FLAG_ORDER.length;

/**
 * The attribute model has the token model's form (feature → weights, and a bias), with WIDTH
 * weights per feature in the layout above, and the same text form.
 */
export type AttributeModel = TokenModel;

export function parseAttributeModel(text: string): AttributeModel {
  return modelFromText(text);
}

/** The trained attribute model (`attribute-weights.txt`, written by `train-model.ts`). */
export function loadTrainedAttributeModel(): AttributeModel {
  return readModelFile('./attribute-weights.txt');
}

/**
 * What the rules found, as features: the chain, each flag rule that fired, and for a bug or
 * an incident the impact-word groups and the rules' own severity.
 */
export function ruleFeatures(
  chain: ChainId,
  ruleFlags: Iterable<Flag>,
  reading: SeverityReading | null,
): string[] {
  const out = [CHAIN_FEATURE[chain]];
  for (const flag of ruleFlags) out.push(FLAG_FEATURE[flag]);
  if (reading) {
    for (const cue of reading.cues) out.push(cue);
    out.push(SEVERITY_FEATURE[reading.rule]);
  }
  return out;
}

// The rule features' names, made once.
const CHAIN_FEATURE = Object.fromEntries(CHAIN_IDS.map((c) => [c, `chain:${c}`])) as Record<ChainId, string>;
const FLAG_FEATURE = Object.fromEntries(FLAG_ORDER.map((f) => [f, `rule:${f}`])) as Record<Flag, string>;
const SEVERITY_FEATURE = Object.fromEntries(
  [...BUG_SEVERITIES, ...INCIDENT_SEVERITIES].map((s) => [s, `sev:${s}`]),
) as Record<Severity, string>;

/**
 * The logits of every head for a request's words (read as `stemFeatures` reads them: stems and
 * negated stems) and its rule features: the same sums as `attributeLogits(model,
 * [...stemFeatures(words), ...extra])`, without making the features' strings. Each word's
 * rows are looked up once and remembered; a row counts once per request.
 */
export function attributeLogitsOfWords(
  model: AttributeModel,
  words: readonly string[],
  extra: readonly string[],
): Float64Array {
  let table = TABLES.get(model);
  if (!table) {
    table = new WordRowTable(model);
    TABLES.set(model, table);
  }
  return table.logits(words, extra);
}

interface WordRows {
  /** The rows of the features `stem` and `!stem` (-1: not in the model). */
  row: number;
  negatedRow: number;
  endsNegation: boolean;
  negates: boolean;
}

const WORDS_LIMIT = 50_000;

class WordRowTable {
  private readonly words = new Map<string, WordRows>();
  /** counted[row] === stamp: the row has already counted for this request. */
  private readonly counted: Uint32Array;
  private stamp = 0;

  constructor(private readonly model: AttributeModel) {
    this.counted = new Uint32Array(model.rows.size);
  }

  logits(words: readonly string[], extra: readonly string[]): Float64Array {
    const z = Float64Array.from(this.model.bias);
    this.stamp++;
    if (this.stamp === 0xffffffff) {
      this.counted.fill(0);
      this.stamp = 1;
    }
    let negatedFor = 0;
    for (const word of words) {
      const entry = this.entry(word);
      if (entry.endsNegation) negatedFor = 0;
      this.count(z, entry.row);
      if (negatedFor > 0) {
        this.count(z, entry.negatedRow);
        negatedFor--;
      }
      if (entry.negates) negatedFor = NEGATION_SPAN;
    }
    for (const feature of extra) this.count(z, this.model.rows.get(feature) ?? -1);
    return z;
  }

  private entry(word: string): WordRows {
    let entry = this.words.get(word);
    if (!entry) {
      const s = stem(word);
      entry = {
        row: this.model.rows.get(s) ?? -1,
        negatedRow: this.model.rows.get(`!${s}`) ?? -1,
        endsNegation: NEGATION_STOPS.has(word),
        negates: NEGATORS.has(word),
      };
      if (this.words.size >= WORDS_LIMIT) this.words.clear();
      this.words.set(word, entry);
    }
    return entry;
  }

  private count(z: Float64Array, row: number): void {
    if (row < 0 || this.counted[row] === this.stamp) return;
    this.counted[row] = this.stamp;
    addRow(z, this.model, row);
  }
}

/** Each model's table, built on first use (a model's weights are not changed after loading). */
const TABLES = new WeakMap<AttributeModel, WordRowTable>();

/** Summed weights of the features (bias included): the logits of every head. */
export function attributeLogits(model: AttributeModel, features: readonly string[]): Float64Array {
  const z = Float64Array.from(model.bias);
  for (const feature of features) {
    const row = model.rows.get(feature);
    if (row !== undefined) addRow(z, model, row);
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
