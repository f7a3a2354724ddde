/**
 * Learning from corrections: when a requester picks another chain, the caller stores the
 * request and the chosen chain; a later request similar enough to a stored one follows it.
 * Similarity is the Jaccard index of the two requests' content words (normalized, stemmed,
 * stop words dropped), looked up through an inverted index.
 */
import { normalizeSlackText, toTokens } from './normalize.ts';
import { type ChainId, type Correction, isChainId } from './types.ts';
import { correctTypo } from './typos.ts';

/** Two requests at least this similar are "the same kind of request". */
export const CORRECTION_SIMILARITY = 0.5;

const STOP_WORDS = new Set(
  `a an the and or but if then so to of in on at for from by with about as into over under is are was were be been
  being am do does did doing have has had having i me my we us our you your he she it its they them their this that
  these those there here what which who whom when where why how can could would should will shall may might must
  please pls plz hey hi hello team all any some just also too very really still again now today yesterday tomorrow
  get got let lets make need needs want wants like thanks thank thx ok okay yes not no up out it s t`.split(
    /\s+/,
  ),
);

/** The content words of a request, lightly stemmed ("crashes" → "crash"). */
export function contentTokens(text: string): Set<string> {
  return contentTokensOfWords(toTokens(normalizeSlackText(text).slice(0, 4000)).map(correctTypo));
}

/** The same from a request's typo-corrected tokens, as `classify` has already made them. */
export function contentTokensOfWords(words: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const word of words) if (!STOP_WORDS.has(word)) out.add(stem(word));
  return out;
}

function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 4 && word.endsWith('es')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

interface Entry {
  correction: Correction;
  /** Ids of the content words, for the exact overlap count. */
  ids: Int32Array;
  order: number;
}

export interface CorrectionIndex {
  readonly size: number;
  /** The stored correction most similar to the text, when at least CORRECTION_SIMILARITY. */
  match(text: string): { correction: Correction; similarity: number } | null;
  /**
   * The same for a request already read into typo-corrected tokens (the first 4,000 readable
   * characters), so `classify` does not read the text twice.
   */
  matchWords?(words: readonly string[]): { correction: Correction; similarity: number } | null;
}

/**
 * An inverted index over content-word stems. Prefix filtering: a stored request at least t
 * similar to a query of |q| words shares at least ceil(t·|q|) of them, so it shares one of
 * any |q| − ceil(t·|q|) + 1 of them; only the postings of the query's rarest words are read
 * (common words like "app" have long lists), and each candidate passes a size filter before
 * its overlap is counted exactly. Words are interned as numbers; marks are stamped arrays,
 * so a lookup allocates almost nothing.
 */
export function buildCorrectionIndex(corrections: readonly Correction[]): CorrectionIndex {
  const entries: Entry[] = [];
  const vocabulary = new Map<string, number>();
  const postingLists: number[][] = [];
  corrections.forEach((correction, order) => {
    const tokens = contentTokens(correction.text);
    if (tokens.size === 0) return;
    const id = entries.length;
    const ids = new Int32Array(tokens.size);
    let k = 0;
    for (const token of tokens) {
      let word = vocabulary.get(token);
      if (word === undefined) {
        word = postingLists.length;
        vocabulary.set(token, word);
        postingLists.push([]);
      }
      postingLists[word]!.push(id);
      ids[k++] = word;
    }
    entries.push({ correction, ids, order });
  });
  const postings = postingLists.map((list) => Int32Array.from(list));
  const t = CORRECTION_SIMILARITY;
  // Stamps: wordMark[w] === stamp when word w is in the current query; seenMark[e] === stamp
  // when entry e has been scored for it.
  const wordMark = new Uint32Array(postings.length);
  const seenMark = new Uint32Array(entries.length);
  let stamp = 0;

  const lookUp = (tokens: Set<string>) => {
    const size = tokens.size;
    if (size === 0) return null;
    stamp++;
    if (stamp === 0xffffffff) {
      wordMark.fill(0);
      seenMark.fill(0);
      stamp = 1;
    }
    // Known words, rarest first; words no stored request has cannot be shared.
    const known: number[] = [];
    for (const token of tokens) {
      const word = vocabulary.get(token);
      if (word === undefined || wordMark[word] === stamp) continue;
      wordMark[word] = stamp;
      known.push(word);
    }
    const needed = Math.ceil(t * size - 1e-9);
    if (known.length < needed) return null;
    known.sort((a, b) => postings[a]!.length - postings[b]!.length);
    let prefix = known.length - needed + 1;
    const minSize = t * size - 1e-9;
    const maxSize = size / t + 1e-9;
    let best: { entry: Entry; similarity: number } | null = null;
    for (let k = 0; k < prefix; k++) {
      const list = postings[known[k]!]!;
      for (let j = 0; j < list.length; j++) {
        const id = list[j]!;
        if (seenMark[id] === stamp) continue;
        seenMark[id] = stamp;
        const entry = entries[id]!;
        const entrySize = entry.ids.length;
        if (entrySize < minSize || entrySize > maxSize) continue;
        // Sharing every word it could, it would still be less similar than the best so far.
        if (best && Math.min(size, entrySize) / Math.max(size, entrySize) < best.similarity) continue;
        let overlap = 0;
        for (let i = 0; i < entrySize; i++) if (wordMark[entry.ids[i]!] === stamp) overlap++;
        const similarity = overlap / (size + entrySize - overlap);
        if (similarity < t) continue;
        // The most similar wins; between equals, the most recent (by `at`, then by order).
        if (
          !best ||
          similarity > best.similarity ||
          (similarity === best.similarity && isNewer(entry, best.entry))
        ) {
          best = { entry, similarity };
          // To tie it, a later one must share ceil(similarity · size) words, so one of the
          // rarest known.length − that + 1: the words after those need not be read.
          prefix = Math.min(prefix, known.length - Math.ceil(similarity * size - 1e-9) + 1);
        }
      }
    }
    return best ? { correction: best.entry.correction, similarity: best.similarity } : null;
  };

  return {
    size: entries.length,
    match: (text) => (entries.length === 0 ? null : lookUp(contentTokens(text))),
    matchWords: (words) => (entries.length === 0 ? null : lookUp(contentTokensOfWords(words))),
  };
}

function isNewer(a: Entry, b: Entry): boolean {
  const at = a.correction.at ?? 0;
  const bt = b.correction.at ?? 0;
  return at !== bt ? at > bt : a.order > b.order;
}

/** One JSON object per line: `{"text": …, "chain": …, "predicted"?: …, "at"?: …}`. Blank lines are skipped. */
export function parseCorrectionsJsonl(text: string): Correction[] {
  const out: Correction[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `corrections line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${where}: not valid JSON`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`${where}: expected a JSON object`);
    }
    const record = value as Record<string, unknown>;
    if (typeof record.text !== 'string') throw new Error(`${where}: "text" must be a string`);
    if (!isChainId(record.chain)) throw new Error(`${where}: "chain" must be one of the six chain ids`);
    const correction: Correction = { text: record.text, chain: record.chain };
    if (record.predicted !== undefined && record.predicted !== null) {
      if (!isChainId(record.predicted)) throw new Error(`${where}: "predicted" must be a chain id or null`);
      correction.predicted = record.predicted;
    } else if (record.predicted === null) {
      correction.predicted = null;
    }
    if (record.at !== undefined) {
      if (typeof record.at !== 'number' || !Number.isFinite(record.at)) {
        throw new Error(`${where}: "at" must be a number`);
      }
      correction.at = record.at;
    }
    out.push(correction);
  });
  return out;
}

export function formatCorrectionsJsonl(corrections: readonly Correction[]): string {
  return corrections
    .map((c) => {
      const record: { text: string; chain: ChainId; predicted?: ChainId | null; at?: number } = {
        text: c.text,
        chain: c.chain,
      };
      if (c.predicted !== undefined) record.predicted = c.predicted;
      if (c.at !== undefined) record.at = c.at;
      return `${JSON.stringify(record)}\n`;
    })
    .join('');
}
