// The words a classification comes with: why this chain, or why the bot asks.

import { makeTitle } from './normalize.ts';
import { MAX_SCORED_CHARS } from './tuning.ts';
import { CHAIN_TITLES, type ChainId, type Classification, type Signal } from './types.ts';

export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const percent = (value: number) => `${Math.round(value * 100)}%`;

export function explain(input: {
  chain: ChainId;
  confidence: number;
  runnerUp: Classification['runnerUp'];
  ask: boolean;
  choices: ChainId[];
  signals: Signal[];
  correctedBy: string | undefined;
  truncated: boolean;
  anySignal: boolean;
  threshold: number;
  /** The token model's favourite. */
  lean: ChainId | null;
  /** The request says too little to start anything. */
  vague: boolean;
  /** A few words that point to no workflow: nothing to choose between. */
  tooLittle: boolean;
}): string {
  const parts: string[] = [];
  if (input.correctedBy !== undefined) {
    parts.push(
      `${CHAIN_TITLES[input.chain]}: a similar request was corrected to this workflow before ("${makeTitle(input.correctedBy).slice(0, 80)}").`,
    );
  } else if (input.tooLittle) {
    parts.push(
      'The request says too little for me to act on: say in a sentence what is wanted or what is broken.',
    );
  } else if (!input.anySignal) {
    parts.push('Nothing in the request points to a workflow, so I need you to choose.');
  } else if (input.vague) {
    const [a, b] = input.choices;
    parts.push(
      `The request says too little to start a workflow: is it ${CHAIN_TITLES[a!]} or ${CHAIN_TITLES[b!]}? Say what is wanted or what is broken.`,
    );
  } else if (input.ask) {
    const [a, b] = input.choices;
    const why =
      input.confidence < input.threshold
        ? `${percent(input.confidence)} < ${percent(input.threshold)}`
        : 'the phrases and the wording as a whole point different ways';
    parts.push(
      `Not sure enough to start (${why}): it reads as ${describe(input.signals, a)} or ${describe(input.signals, b)}.`,
    );
  } else {
    parts.push(
      `${CHAIN_TITLES[input.chain]} (${percent(input.confidence)}) because of ${quote(input.signals, input.chain) || 'its wording as a whole'}.`,
    );
    if (input.runnerUp && input.runnerUp.confidence >= 0.05) {
      parts.push(`Runner-up: ${CHAIN_TITLES[input.runnerUp.chain]} (${percent(input.runnerUp.confidence)}).`);
    }
  }
  if (input.truncated) parts.push(`Only the first ${SCORED_CHARS_TEXT} characters were read.`);
  return parts.join(' ');
}

const SCORED_CHARS_TEXT = MAX_SCORED_CHARS.toLocaleString('en-US');

// quote and describe are module-level functions, not closures per call (tsx names each closure it makes).

/** Up to three of a chain's phrases, quoted. */
function quote(signals: readonly Signal[], chain: ChainId): string {
  return signals
    .filter((s) => s.chain === chain)
    .slice(0, 3)
    .map((s) => `"${s.phrase}"`)
    .join(', ');
}

function describe(signals: readonly Signal[], chain: ChainId | undefined): string {
  if (!chain) return '';
  const why = quote(signals, chain);
  return `${CHAIN_TITLES[chain]}${why ? ` (${why})` : ''}`;
}
