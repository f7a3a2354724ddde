/**
 * A small learned token model that sits beside the hand-written lexicon: multinomial
 * logistic regression over word stems, stem pairs, negated stems ("not down" → `!down`) and
 * the opening word (`^add`, `^audit`). Its weights are precomputed by `train-model.ts`
 * (deterministic full-batch gradient descent) into `model-weights.ts`; here it only sums
 * weights, so it costs a few Map reads per word.
 *
 * The lexicon knows phrases; the model knows how words lean on average across every
 * labelled request. Where the two disagree the request is ambiguous, and the bot asks.
 */
import { frameFeatures } from './frames.ts';
import { CHAIN_IDS, type ChainId } from './types.ts';

export interface TokenModel {
  /** Feature → one weight per chain, in CHAIN_IDS order. */
  weights: ReadonlyMap<string, Float64Array>;
  bias: Float64Array;
}

export interface SerializedModel {
  bias: number[];
  /** Feature → one weight per chain, in CHAIN_IDS order. */
  weights: Record<string, number[]>;
}

/** The model as `train-model.ts` writes it: "feature<TAB>w1 … w6" a line, the first line "bias<TAB>…". */
export function parseModelText(text: string): SerializedModel {
  const out: SerializedModel = { bias: [0, 0, 0, 0, 0, 0], weights: {} };
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const values = line
      .slice(tab + 1)
      .split(' ')
      .map(Number);
    const feature = line.slice(0, tab);
    if (feature === 'bias') out.bias = values;
    else out.weights[feature] = values;
  }
  return out;
}

/** The model in the text form `parseModelText` reads (features in the record's order). */
export function serializeModel(model: SerializedModel): string {
  const lines = [`bias\t${model.bias.join(' ')}`];
  for (const feature of Object.keys(model.weights))
    lines.push(`${feature}\t${model.weights[feature]!.join(' ')}`);
  return lines.join('\n');
}

export function loadModel(serialized: SerializedModel): TokenModel {
  const weights = new Map<string, Float64Array>();
  for (const feature of Object.keys(serialized.weights)) {
    weights.set(feature, Float64Array.from(serialized.weights[feature]!));
  }
  return { weights, bias: Float64Array.from(serialized.bias) };
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
  stem: string;
  /** The ids of the features `stem` and `!stem` (undefined: not in the model). */
  id: number | undefined;
  negatedId: number | undefined;
  /** Pair features that begin with this stem: second stem → id. */
  pairsAfter: ReadonlyMap<string, number> | undefined;
  endsNegation: boolean;
  negates: boolean;
  /** A target-state modal, or one when "to" follows (`hasModal`). */
  modal: boolean;
  modalBeforeTo: boolean;
}

const WORDS_LIMIT = 50_000;

/**
 * A model's weights indexed for `modelLogProbs`: the features of `modelFeatures`, in the same
 * order, without making their strings. Each word's stem and feature ids are looked up once
 * and remembered, pair features are found through the previous word's entry, and a feature
 * counts once per request (a stamp per feature instead of a Set), so the sums are exactly
 * those of `featureLogProbs`.
 */
class FeatureTable {
  /** Every feature's number; its weights are `rows[id]`. */
  private readonly ids = new Map<string, number>();
  /** Feature "a b" as a → b → id, split at each space (so any pair of parts finds it). */
  private readonly pairs = new Map<string, Map<string, number>>();
  /** Feature "!s" as s → id. */
  private readonly negations = new Map<string, number>();
  private readonly rows: Float64Array[] = [];
  private readonly words = new Map<string, WordEntry>();
  /** seen[id] === stamp: the feature has already counted for this request. */
  private readonly seen: Uint32Array;
  private stamp = 0;
  private z = new Float64Array(0);

  constructor(private readonly model: TokenModel) {
    for (const [feature, weights] of model.weights) {
      const id = this.rows.length;
      this.rows.push(weights);
      this.ids.set(feature, id);
      if (feature.startsWith('!')) this.negations.set(feature.slice(1), id);
      for (let at = feature.indexOf(' '); at >= 0; at = feature.indexOf(' ', at + 1)) {
        const first = feature.slice(0, at);
        let seconds = this.pairs.get(first);
        if (!seconds) {
          seconds = new Map();
          this.pairs.set(first, seconds);
        }
        seconds.set(feature.slice(at + 1), id);
      }
    }
    this.seen = new Uint32Array(this.rows.length);
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
    let pairsAfterPrevious: ReadonlyMap<string, number> | undefined = this.pairs.get('^');
    let modal = false; // hasModal(words), read on the way
    for (let i = 0; i < words.length; i++) {
      const entry = this.entry(words[i]!);
      if (entry.modal || (entry.modalBeforeTo && words[i + 1] === 'to')) modal = true;
      if (entry.endsNegation) negatedFor = 0;
      this.count(entry.id);
      this.count(pairsAfterPrevious?.get(entry.stem));
      if (negatedFor > 0) {
        this.count(entry.negatedId);
        negatedFor--;
      }
      if (entry.negates) negatedFor = NEGATION_SPAN;
      pairsAfterPrevious = entry.pairsAfter;
    }
    if (modal) for (const f of frameFeatures(words.join(' '))) this.count(this.ids.get(f));
    return toLogProbs(this.z);
  }

  private entry(word: string): WordEntry {
    let entry = this.words.get(word);
    if (!entry) {
      const s = stem(word);
      entry = {
        stem: s,
        id: this.ids.get(s),
        negatedId: this.negations.get(s),
        pairsAfter: this.pairs.get(s),
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

  private count(id: number | undefined): void {
    if (id === undefined || this.seen[id] === this.stamp) return;
    this.seen[id] = this.stamp;
    const w = this.rows[id]!;
    const z = this.z;
    for (let c = 0; c < z.length; c++) z[c]! += w[c]!;
  }
}

/** Each model's feature table, built on first use (a model's weights are not changed after loading). */
const TABLES = new WeakMap<TokenModel, FeatureTable>();

/** Per-class log-probabilities of a list of features (as `modelFeatures` makes them, plus any others). */
export function featureLogProbs(model: TokenModel, features: readonly string[]): Float64Array {
  const z = Float64Array.from(model.bias);
  for (const feature of features) {
    const w = model.weights.get(feature);
    if (!w) continue;
    for (let c = 0; c < z.length; c++) z[c]! += w[c]!;
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
