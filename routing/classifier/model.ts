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

export function loadModel(serialized: SerializedModel): TokenModel {
  const weights = new Map<string, Float64Array>();
  for (const feature of Object.keys(serialized.weights)) {
    weights.set(feature, Float64Array.from(serialized.weights[feature]!));
  }
  return { weights, bias: Float64Array.from(serialized.bias) };
}

const NEGATORS = new Set([
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
const NEGATION_SPAN = 3;
/** Words that end a negation's reach ("not a bug, but …", "not down just slow"). */
const NEGATION_STOPS = new Set(['but', 'just', 'only', 'though', 'however', 'rather', 'instead']);

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

/** Per-chain log-probabilities (CHAIN_IDS order) of a request's words under the model. */
export function modelLogProbs(model: TokenModel, words: readonly string[]): Float64Array {
  return featureLogProbs(model, modelFeatures(words));
}

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
