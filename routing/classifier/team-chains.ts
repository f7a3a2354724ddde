/**
 * Teams' own chains, routed by their example requests: a request close to one of a chain's
 * examples starts that chain, one only somewhat close is asked about (the chain among the
 * choices), one far from every example is left to the six chains' classifier unchanged.
 * Nearest examples, as corrections steer the classifier: the content words of the request
 * against each example's (normalized, stemmed, stop words dropped), cosine of the two sets.
 * A requester's pick of a team's chain is one more example of it.
 */
import { type ClassifyOptions, classify } from './classify.ts';
import { contentTokens } from './corrections.ts';
import type { Classification } from './types.ts';

/** At least this close to an example: the request is for that chain. */
export const EXAMPLE_NEAR = 0.5;
/** At least this close, but not near: the requester is asked, the team's chain offered first. */
export const EXAMPLE_ASK = 0.36;
/** Fewer content words than this are too few to compare with an example. */
const MIN_WORDS = 3;

export interface ChainExample {
  chain: string;
  text: string;
}

export interface ExampleMatch {
  chain: string;
  /** The example nearest to the request. */
  example: string;
  similarity: number;
}

export interface ExampleIndex {
  readonly size: number;
  /** The nearest example of each chain, nearest first (chains with no shared word left out). */
  nearest(text: string): ExampleMatch[];
}

interface Entry {
  chain: string;
  text: string;
  tokens: Set<string>;
}

function cosine(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / Math.sqrt(a.size * b.size);
}

export function buildExampleIndex(examples: readonly ChainExample[]): ExampleIndex {
  const entries: Entry[] = examples
    .map((e) => ({ chain: e.chain, text: e.text, tokens: contentTokens(e.text) }))
    .filter((e) => e.tokens.size >= MIN_WORDS);
  return {
    size: entries.length,
    nearest(text) {
      if (entries.length === 0) return [];
      const tokens = contentTokens(text);
      if (tokens.size < MIN_WORDS) return [];
      const best = new Map<string, ExampleMatch>();
      for (const entry of entries) {
        const similarity = cosine(tokens, entry.tokens);
        if (similarity === 0) continue;
        const prior = best.get(entry.chain);
        if (!prior || similarity > prior.similarity)
          best.set(entry.chain, { chain: entry.chain, example: entry.text, similarity });
      }
      return [...best.values()].sort(
        (a, b) => b.similarity - a.similarity || (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0),
      );
    },
  };
}

/**
 * Two chains' examples that a request could not tell apart: pairs of examples of different
 * chains at least EXAMPLE_NEAR close to each other.
 */
export function exampleCollisions(
  examples: readonly ChainExample[],
): { a: ChainExample; b: ChainExample; similarity: number }[] {
  const read = examples.map((e) => ({ e, tokens: contentTokens(e.text) }));
  const out: { a: ChainExample; b: ChainExample; similarity: number }[] = [];
  for (let i = 0; i < read.length; i++) {
    for (let j = i + 1; j < read.length; j++) {
      const x = read[i]!;
      const y = read[j]!;
      if (x.e.chain === y.e.chain) continue;
      const similarity = cosine(x.tokens, y.tokens);
      if (similarity >= EXAMPLE_NEAR) out.push({ a: x.e, b: y.e, similarity: round(similarity) });
    }
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** A classification among the six chains and the teams' chains. */
export type ChainClassification = Classification<string> & {
  /** Set when a team's chain's examples decided or were offered: the nearest example. */
  example?: ExampleMatch;
};

export interface RouteOptions extends ClassifyOptions {
  /** The teams' chains' examples; without any, the answer is the six chains' classifier's. */
  examples?: ExampleIndex;
  /** Titles of the teams' chains, for the explanation. */
  titles?: Readonly<Record<string, string>>;
}

/**
 * The chain for a request: a team's chain when the request is near one of its examples,
 * a question offering it when only somewhat near, else `classify` exactly.
 */
export function classifyRequest(text: string, options: RouteOptions = {}): ChainClassification {
  const c: ChainClassification = classify(text, options);
  const index = options.examples;
  if (!index || index.size === 0 || c.error) return c;
  const matches = index.nearest(text);
  const top = matches[0];
  if (!top || top.similarity < EXAMPLE_ASK) return c;
  // A correction the requesters taught wins over an example no closer than it.
  if (c.correctedBy !== undefined && c.confidence >= top.similarity) return c;
  const title = options.titles?.[top.chain] ?? top.chain;
  const similarity = round(top.similarity);
  const quoted = `"${top.example.length > 80 ? `${top.example.slice(0, 77)}…` : top.example}"`;
  const runnerUp = c.chain ? { chain: c.chain as string, confidence: c.confidence } : null;
  if (top.similarity >= EXAMPLE_NEAR && (matches[1]?.similarity ?? 0) < EXAMPLE_NEAR) {
    return {
      ...c,
      chain: top.chain,
      confidence: similarity,
      runnerUp,
      ask: false,
      choices: [top.chain],
      signals: [],
      example: { ...top, similarity },
      explanation: `${title}: the request is like its example ${quoted} (${Math.round(similarity * 100)}% alike).`,
    };
  }
  // Somewhat like a team's examples (or like two teams' chains): the requester picks.
  const teams = matches.filter((m) => m.similarity >= EXAMPLE_ASK).map((m) => m.chain);
  const six: string[] = c.ask ? c.choices : c.chain ? [c.chain] : [];
  const choices = [...new Set([...teams, ...six])];
  return {
    ...c,
    ask: true,
    choices: choices.length >= 2 ? choices : [...choices, ...c.choices.filter((x) => !choices.includes(x))],
    example: { ...top, similarity },
    explanation: `${c.explanation} It is also somewhat like an example of ${title}, ${quoted} (${Math.round(similarity * 100)}% alike): which is it?`,
  };
}

/**
 * What is wrong with the chains' examples, one line each: an example with too few words to
 * compare, and examples of two chains so alike a request could not tell the chains apart.
 * `only`: report only problems that involve these chains (the folder being validated).
 */
export function exampleProblems(
  chains: readonly { id: string; examples?: readonly string[] | undefined }[],
  only?: ReadonlySet<string>,
): string[] {
  const concerns = (...ids: string[]) => !only || ids.some((id) => only.has(id));
  const problems: string[] = [];
  const all: ChainExample[] = [];
  for (const chain of chains) {
    (chain.examples ?? []).forEach((text, i) => {
      all.push({ chain: chain.id, text });
      if (concerns(chain.id) && contentTokens(text).size < MIN_WORDS)
        problems.push(
          `${chain.id}: examples[${i}] says too little to route by (at least ${MIN_WORDS} words that describe the request)`,
        );
    });
  }
  for (const { a, b, similarity } of exampleCollisions(all)) {
    if (!concerns(a.chain, b.chain)) continue;
    problems.push(
      `${a.chain} and ${b.chain}: examples collide (${Math.round(similarity * 100)}% alike): "${a.text}" / "${b.text}"`,
    );
  }
  return problems;
}
