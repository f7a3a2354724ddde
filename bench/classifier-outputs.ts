// The classifier's answer to every request of every corpus (routing/classifier/corpus/*.jsonl),
// one line each: to show that a change of how the classifier is loaded or stored changes no
// answer. `node --import tsx bench/classifier-outputs.ts > before.txt` before the change;
// after it, `node --import tsx bench/classifier-outputs.ts --check before.txt` compares every
// field (chain, confidence, ask, choices, flags, severity, … the whole classification) and
// exits 1 on any difference.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classify } from '../routing/classifier/index.ts';

const CORPUS_DIR = fileURLToPath(new URL('../routing/classifier/corpus/', import.meta.url));

function outputs(): string[] {
  const lines: string[] = [];
  for (const file of readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()) {
    const texts = readFileSync(CORPUS_DIR + file, 'utf8').split('\n');
    texts.forEach((line, i) => {
      if (!line.trim()) return;
      const { text } = JSON.parse(line) as { text: string };
      lines.push(`${file}:${i + 1}\t${JSON.stringify(classify(text))}`);
    });
  }
  return lines;
}

const at = process.argv.indexOf('--check');
const now = outputs();
if (at < 0) {
  process.stdout.write(`${now.join('\n')}\n`);
} else {
  const before = readFileSync(process.argv[at + 1]!, 'utf8')
    .split('\n')
    .filter(Boolean);
  const differ = now.filter((line, i) => line !== before[i]);
  for (const line of differ.slice(0, 10)) console.log(`differs: ${line.slice(0, 300)}`);
  const verdict = differ.length === 0 && before.length === now.length ? 'identical' : 'DIFFERENT';
  console.log(
    `${now.length} requests (${before.length} before): ${differ.length} answers differ: ${verdict}`,
  );
  if (verdict !== 'identical') process.exitCode = 1;
}
