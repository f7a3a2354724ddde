/**
 * A small learned token model that sits beside the hand-written lexicon: multinomial
 * logistic regression over word stems, stem pairs, negated stems ("not down" → `!down`) and
 * the opening word (`^add`, `^audit`). Its weights are precomputed by `train-model.ts`
 * (deterministic full-batch gradient descent) into the data file `model-weights.txt`; here it
 * only sums weights, so it costs a few Map reads per word.
 *
 * The lexicon knows phrases; the model knows how words lean on average across every
 * labelled request. Where the two disagree the request is ambiguous, and the bot asks.
 */
import { readFileSync } from 'node:fs';
import { frameFeatures } from './frames.ts';
import { CHAIN_IDS, type ChainId } from './types.ts';

/**
 * A loaded model, in one table: every feature's weights in one Float64Array, a row of `width`
 * weights per feature (not an array per feature: a model has some 15,000 features).
 */
export interface TokenModel {
  /** Feature → its row: its weights are `weights[row * width]` … `weights[row * width + width - 1]`. */
  rows: ReadonlyMap<string, number>;
  weights: Float64Array;
  /** Weights per feature (one per chain, in CHAIN_IDS order, for the token model). */
  width: number;
  bias: Float64Array;
}

export interface SerializedModel {
  bias: number[];
  /** Feature → one weight per chain, in CHAIN_IDS order. */
  weights: Record<string, number[]>;
}

/**
 * The model as `train-model.ts` writes it: "feature<TAB>w1 … w6" a line, the line "bias<TAB>…"
 * first; lines without a tab (the `#` header) are not read.
 */
export function parseModelText(text: string): SerializedModel {
  const model = modelFromText(text);
  const weights: Record<string, number[]> = {};
  for (const [feature, row] of model.rows)
    weights[feature] = Array.from(model.weights.subarray(row * model.width, (row + 1) * model.width));
  return { bias: Array.from(model.bias), weights };
}

/** The model in the text form `parseModelText` reads (features in the record's order). */
export function serializeModel(model: SerializedModel): string {
  const lines = [`bias\t${model.bias.join(' ')}`];
  for (const feature of Object.keys(model.weights))
    lines.push(`${feature}\t${model.weights[feature]!.join(' ')}`);
  return lines.join('\n');
}

export function loadModel(serialized: SerializedModel): TokenModel {
  const features = Object.keys(serialized.weights);
  const width = serialized.bias.length;
  const rows = new Map<string, number>();
  const weights = new Float64Array(features.length * width);
  features.forEach((feature, row) => {
    rows.set(feature, row);
    weights.set(serialized.weights[feature]!, row * width);
  });
  return { rows, weights, width, bias: Float64Array.from(serialized.bias) };
}

/**
 * The text form read straight into a model's table, without an array per line or per feature.
 * Read from bytes so that each feature's name is a string of its own (slices of the file's
 * text would keep all of it alive).
 */
export function modelFromText(text: string): TokenModel {
  return modelFromBytes(Buffer.from(text, 'utf8'));
}

const TAB = 9;
const NEWLINE = 10;
const SPACE = 32;

export function modelFromBytes(bytes: Buffer): TokenModel {
  let width = 0;
  let lines = 0;
  for (let at = 0; at < bytes.length; ) {
    const end = lineEnd(bytes, at);
    const tab = bytes.indexOf(TAB, at);
    if (tab >= 0 && tab < end) {
      lines++;
      if (width === 0) {
        width = 1;
        for (let i = tab + 1; i < end; i++) if (bytes[i] === SPACE) width++;
      }
    }
    at = end + 1;
  }
  const rows = new Map<string, number>();
  const weights = new Float64Array(lines * width); // the bias line's row is left over
  let bias = new Float64Array(width);
  for (let at = 0; at < bytes.length; ) {
    const end = lineEnd(bytes, at);
    const tab = bytes.indexOf(TAB, at);
    if (tab >= 0 && tab < end) {
      const feature = bytes.toString('utf8', at, tab);
      let into = weights;
      let from = 0;
      if (feature === 'bias') {
        bias = new Float64Array(width);
        into = bias;
      } else {
        const row = rows.get(feature) ?? rows.size;
        rows.set(feature, row);
        from = row * width;
      }
      for (let v = tab + 1, c = 0; v <= end && c < width; c++) {
        let space = bytes.indexOf(SPACE, v);
        if (space < 0 || space > end) space = end;
        into[from + c] = readNumber(bytes, v, space);
        v = space + 1;
      }
    }
    at = end + 1;
  }
  return { rows, weights: weights.subarray(0, rows.size * width), width, bias };
}

function lineEnd(bytes: Buffer, from: number): number {
  const end = bytes.indexOf(NEWLINE, from);
  return end < 0 ? bytes.length : end;
}

const MINUS = 45;
const DOT = 46;
const ZERO = 48;
/** Powers of ten a double holds exactly. */
const EXACT_POWERS = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * `Number` of the characters from..to, without making a string of them for plain decimals such
 * as `-0.145`: at most 15 digits are an exact integer and 10^k an exact double, so one
 * division rounds as `Number` does (correctly). Anything else is read by `Number` itself.
 */
export function readNumber(bytes: Buffer, from: number, to: number): number {
  let at = from;
  const negative = bytes[at] === MINUS;
  if (negative) at++;
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (; at < to; at++) {
    const b = bytes[at]!;
    if (b === DOT && decimals < 0) {
      decimals = 0;
      continue;
    }
    const d = b - ZERO;
    if (d < 0 || d > 9 || digits === 15) return Number(bytes.toString('latin1', from, to));
    mantissa = mantissa * 10 + d;
    digits++;
    if (decimals >= 0) decimals++;
  }
  if (digits === 0) return Number(bytes.toString('latin1', from, to));
  const value = decimals > 0 ? mantissa / EXACT_POWERS[decimals]! : mantissa;
  return negative ? -value : value;
}

/** A model stored beside this module (`model-weights.txt`, `attribute-weights.txt`). */
export function readModelFile(name: string): TokenModel {
  return modelFromBytes(readFileSync(new URL(name, import.meta.url)));
}

/** The trained token model (`model-weights.txt`, written by `train-model.ts`). */
export function loadTrainedModel(): TokenModel {
  return readModelFile('./model-weights.txt');
}

export const NEGATORS: ReadonlySet<string> = new Set([
  'not',
  'no',
  'never',
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'dont',
  'doesnt',
  'didnt',
  'without',
  'nothing',
  'non',
  'nor',
  'neither',
]);
/** How many words after a negator are read as negated. */
export const NEGATION_SPAN = 3;
/** Words that end a negation's reach ("not a bug, but …", "not down just slow"). */
export const NEGATION_STOPS: ReadonlySet<string> = new Set([
  'but',
  'just',
  'only',
  'though',
  'however',
  'rather',
  'instead',
]);

const HAS_DIGIT = /\d/;

/** A light stemmer: inflections of one word share a feature (crash, crashes, crashing, crashed). */
export function stem(word: string): string {
  const n = word.length;
  if (HAS_DIGIT.test(word)) {
    if (word.endsWith('%')) return '<pct>';
    if (/^v?\d+(?:\.\d+)+$/.test(word)) return '<ver>';
    if (/^\d+$/.test(word)) return word.length <= 2 ? '<n>' : '<num>';
    if (/^[45]\d\d(?:s)?$/.test(word)) return word.slice(0, 3);
    return word;
  }
  if (n <= 3) return word;
  if (n > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (n > 4 && word.endsWith('ied')) return `${word.slice(0, -3)}y`;
  if (n > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (n > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (n > 4 && (word.endsWith('ches') || word.endsWith('shes') || word.endsWith('sses')))
    return word.slice(0, -2);
  if (n > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is'))
    return word.slice(0, -1);
  return word;
}

/**
 * The features of a request's (typo-corrected) words, plus its frame (a wish or a defect
 * report, `frames.ts`); duplicates are kept out.
 */
export function modelFeatures(words: readonly string[]): string[] {
  const out = new Set<string>();
  let negatedFor = 0;
  let previous = '^';
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const s = stem(word);
    if (NEGATION_STOPS.has(word)) negatedFor = 0;
    out.add(s);
    out.add(`${previous} ${s}`);
    if (negatedFor > 0) {
      out.add(`!${s}`);
      negatedFor--;
    }
    if (NEGATORS.has(word)) negatedFor = NEGATION_SPAN;
    previous = s;
  }
  if (hasModal(words)) for (const f of frameFeatures(words.join(' '))) out.add(f);
  return [...out];
}

/**
 * Stems and negated stems only, no pairs and no frame: the word features of the attribute
 * model (`attributes.ts`), which has fewer labelled requests to learn pairs from.
 */
export function stemFeatures(words: readonly string[]): string[] {
  const out = new Set<string>();
  let negatedFor = 0;
  for (const word of words) {
    const s = stem(word);
    if (NEGATION_STOPS.has(word)) negatedFor = 0;
    out.add(s);
    if (negatedFor > 0) {
      out.add(`!${s}`);
      negatedFor--;
    }
    if (NEGATORS.has(word)) negatedFor = NEGATION_SPAN;
  }
  return [...out];
}

const MODAL_WORDS = new Set(['should', 'shouldnt', 'could', 'would', 'must', 'ought', 'meant']);
const MODAL_BEFORE_TO = new Set(['need', 'needs', 'has', 'have']);

/** A quick look for the target-state modals `frames.ts` reads (most requests have none). */
function hasModal(words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (MODAL_WORDS.has(word) || (MODAL_BEFORE_TO.has(word) && words[i + 1] === 'to')) return true;
  }
  return false;
}

/**
 * Per-chain log-probabilities (CHAIN_IDS order) of a request's words under the model: the
 * same as `featureLogProbs(model, modelFeatures(words))`, read through the model's
 * FeatureTable (a test checks they agree exactly on every corpus).
 */
export function modelLogProbs(model: TokenModel, words: readonly string[]): Float64Array {
  let table = TABLES.get(model);
  if (!table) {
    table = new FeatureTable(model);
    TABLES.set(model, table);
  }
  return table.logProbs(words);
}

/** What a word contributes, looked up once per word. */
interface WordEntry {
  /** Its stem's number among the parts of pair features (-1: in none). */
  part: number;
  /** The rows of the features `stem` and `!stem` (-1: not in the model). */
  row: number;
  negatedRow: number;
  endsNegation: boolean;
  negates: boolean;
  /** A target-state modal, or one when "to" follows (`hasModal`). */
  modal: boolean;
  modalBeforeTo: boolean;
}

const WORDS_LIMIT = 50_000;

/**
 * A model's weights indexed for `modelLogProbs`: the features of `modelFeatures`, in the same
 * order, without making their strings. Each word's stem and feature rows are looked up once
 * and remembered, pair features are found by the numbers of their two parts, and a feature
 * counts once per request (a stamp per row instead of a Set), so the sums are exactly those
 * of `featureLogProbs`.
 */
class FeatureTable {
  /** The strings on either side of a space in some feature ("a b": a and b), numbered. */
  private readonly parts = new Map<string, number>();
  /** Feature "a b" (split at each space) → its row, keyed `part(a) * pairKey + part(b)`. */
  private readonly pairs = new Map<number, number>();
  /** More than any part's number: keys of different pairs differ. */
  private readonly pairKey: number;
  /** Feature "!s" as s → its row. */
  private readonly negations = new Map<string, number>();
  private readonly words = new Map<string, WordEntry>();
  /** seen[row] === stamp: the feature has already counted for this request. */
  private readonly seen: Uint32Array;
  private stamp = 0;
  private z = new Float64Array(0);

  constructor(private readonly model: TokenModel) {
    const split = (feature: string, each: (first: string, second: string) => void) => {
      for (let at = feature.indexOf(' '); at >= 0; at = feature.indexOf(' ', at + 1))
        each(feature.slice(0, at), feature.slice(at + 1));
    };
    const number = (part: string) => {
      if (!this.parts.has(part)) this.parts.set(part, this.parts.size);
    };
    for (const feature of model.rows.keys())
      split(feature, (first, second) => {
        number(first);
        number(second);
      });
    this.pairKey = this.parts.size;
    for (const [feature, row] of model.rows) {
      if (feature.startsWith('!')) this.negations.set(feature.slice(1), row);
      split(feature, (first, second) =>
        this.pairs.set(this.parts.get(first)! * this.pairKey + this.parts.get(second)!, row),
      );
    }
    this.seen = new Uint32Array(model.rows.size);
  }

  /** `modelFeatures`' walk, counting each feature's weights instead of listing it. */
  logProbs(words: readonly string[]): Float64Array {
    this.stamp++;
    if (this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    this.z = Float64Array.from(this.model.bias);
    let negatedFor = 0;
    let previous = this.parts.get('^') ?? -1;
    let modal = false; // hasModal(words), read on the way
    for (let i = 0; i < words.length; i++) {
      const entry = this.entry(words[i]!);
      if (entry.modal || (entry.modalBeforeTo && words[i + 1] === 'to')) modal = true;
      if (entry.endsNegation) negatedFor = 0;
      this.count(entry.row);
      if (previous >= 0 && entry.part >= 0)
        this.count(this.pairs.get(previous * this.pairKey + entry.part) ?? -1);
      if (negatedFor > 0) {
        this.count(entry.negatedRow);
        negatedFor--;
      }
      if (entry.negates) negatedFor = NEGATION_SPAN;
      previous = entry.part;
    }
    if (modal) for (const f of frameFeatures(words.join(' '))) this.count(this.model.rows.get(f) ?? -1);
    return toLogProbs(this.z);
  }

  private entry(word: string): WordEntry {
    let entry = this.words.get(word);
    if (!entry) {
      const s = stem(word);
      entry = {
        part: this.parts.get(s) ?? -1,
        row: this.model.rows.get(s) ?? -1,
        negatedRow: this.negations.get(s) ?? -1,
        endsNegation: NEGATION_STOPS.has(word),
        negates: NEGATORS.has(word),
        modal: MODAL_WORDS.has(word),
        modalBeforeTo: MODAL_BEFORE_TO.has(word),
      };
      if (this.words.size >= WORDS_LIMIT) this.words.clear();
      this.words.set(word, entry);
    }
    return entry;
  }

  private count(row: number): void {
    if (row < 0 || this.seen[row] === this.stamp) return;
    this.seen[row] = this.stamp;
    addRow(this.z, this.model, row);
  }
}

/** Adds a feature's weights (its row of the model's table) to `z`. */
export function addRow(z: Float64Array, model: TokenModel, row: number): void {
  const { weights, width } = model;
  for (let c = 0, at = row * width; c < width; c++, at++) z[c]! += weights[at]!;
}

/** Each model's feature table, built on first use (a model's weights are not changed after loading). */
const TABLES = new WeakMap<TokenModel, FeatureTable>();

/** Per-class log-probabilities of a list of features (as `modelFeatures` makes them, plus any others). */
export function featureLogProbs(model: TokenModel, features: readonly string[]): Float64Array {
  const z = Float64Array.from(model.bias);
  for (const feature of features) {
    const row = model.rows.get(feature);
    if (row !== undefined) addRow(z, model, row);
  }
  return toLogProbs(z);
}

/** Logits → log-probabilities (a log-softmax), in place; returns `z`. */
export function toLogProbs(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (const v of z) sum += Math.exp(v - max);
  const logSum = max + Math.log(sum);
  for (let c = 0; c < z.length; c++) z[c] = z[c]! - logSum;
  return z;
}

/** The model's favourite chain and its probability. */
export function modelBest(logProbs: Float64Array): { chain: ChainId; p: number } {
  let best = 0;
  for (let c = 1; c < logProbs.length; c++) if (logProbs[c]! > logProbs[best]!) best = c;
  return { chain: CHAIN_IDS[best]!, p: Math.exp(logProbs[best]!) };
}
