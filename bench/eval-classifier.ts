/**
 * `npm run eval:classifier [file.jsonl] [--verbose]`: scores the request classifier on a
 * labelled JSONL file (default: the dev set, tools/classifier/corpus/dev.jsonl).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CORPUS_FILES } from '../tools/classifier/corpora.ts';
import { evaluate, formatEvaluation, parseLabelledJsonl } from '../tools/classifier/evaluate.ts';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose') || args.includes('-v');
const file = resolve(args.find((a) => !a.startsWith('-')) ?? CORPUS_FILES.dev!);

try {
  const examples = parseLabelledJsonl(readFileSync(file, 'utf8'));
  console.log(`file                ${file}`);
  console.log(formatEvaluation(evaluate(examples), { verbose }));
} catch (error) {
  console.error(`eval-classifier: ${file}: ${(error as Error).message}`);
  process.exitCode = 1;
}
