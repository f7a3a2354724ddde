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
  const out = new Set<string>();
  for (const token of toTokens(normalizeSlackText(text).slice(0, 4000))) {
    if (STOP_WORDS.has(token)) continue;
    out.add(stem(correctTypo(token)));
  }
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
  tokens: Set<string>;
  order: number;
}

export interface CorrectionIndex {
  readonly size: number;
  /** The stored correction most similar to the text, when at least CORRECTION_SIMILARITY. */
  match(text: string): { correction: Correction; similarity: number } | null;
}

export function buildCorrectionIndex(corrections: readonly Correction[]): CorrectionIndex {
  const entries: Entry[] = [];
  const postings = new Map<string, number[]>();
  corrections.forEach((correction, order) => {
    const tokens = contentTokens(correction.text);
    if (tokens.size === 0) return;
    const id = entries.length;
    entries.push({ correction, tokens, order });
    for (const token of tokens) {
      const list = postings.get(token);
      if (list) list.push(id);
      else postings.set(token, [id]);
    }
  });

  return {
    size: entries.length,
    match(text) {
      if (entries.length === 0) return null;
      const tokens = contentTokens(text);
      if (tokens.size === 0) return null;
      const shared = new Map<number, number>();
      for (const token of tokens) {
        for (const id of postings.get(token) ?? []) shared.set(id, (shared.get(id) ?? 0) + 1);
      }
      let best: { entry: Entry; similarity: number } | null = null;
      for (const [id, overlap] of shared) {
        const entry = entries[id]!;
        const similarity = overlap / (tokens.size + entry.tokens.size - overlap);
        if (similarity < CORRECTION_SIMILARITY) continue;
        // The most similar wins; between equals, the most recent (by `at`, then by order).
        if (
          !best ||
          similarity > best.similarity ||
          (similarity === best.similarity && isNewer(entry, best.entry))
        ) {
          best = { entry, similarity };
        }
      }
      return best ? { correction: best.entry.correction, similarity: best.similarity } : null;
    },
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
