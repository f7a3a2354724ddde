/**
 * The labelled corpora the token model learns from and the classifier is checked on.
 * `blind4.jsonl` is the final check: it is never trained or tuned on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type LabelledRequest, parseLabelledJsonl } from './evaluate.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const CORPUS_FILES: Readonly<Record<string, string>> = {
  dev: here('../../../shared/classifier/dev.jsonl'),
  train: here('./corpus/train.jsonl'),
  heldout: here('./corpus/heldout.jsonl'),
  blind: here('./corpus/blind.jsonl'),
  blind2: here('./corpus/blind2.jsonl'),
  blind3: here('./corpus/blind3.jsonl'),
  blind4: here('./corpus/blind4.jsonl'),
};

/** Corpora the model is trained on (everything but the final check). */
export const TRAINING_CORPORA = ['dev', 'train', 'heldout', 'blind', 'blind2', 'blind3'] as const;
/** Corpora written after the lexicon was frozen: each is scored by a model trained without it. */
export const BLIND_CORPORA = ['blind', 'blind2', 'blind3'] as const;

export function loadCorpus(name: string): { line: number; request: LabelledRequest }[] {
  const path = CORPUS_FILES[name];
  if (!path || !existsSync(path)) return [];
  return parseLabelledJsonl(readFileSync(path, 'utf8'));
}
