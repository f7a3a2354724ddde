/**
 * `npm run bench:classifier`: classifications per CPU-second on one core, for typical Slack
 * requests (the dev set and the project's own corpora), for the same with a correction
 * index of 1,000 entries, and for a 40,000-character request.
 */
import { buildCorrectionIndex, classify } from '../routing/classifier/index.ts';
import { CHAIN_IDS } from '../routing/vocabulary.ts';
import { loadCorpus } from '../tools/classifier/corpora.ts';

const texts = ['dev', 'train', 'heldout'].flatMap((name) => loadCorpus(name).map((e) => e.request.text));

function measure(label: string, run: (text: string) => unknown, inputs: string[], seconds = 2): void {
  for (let i = 0; i < 2000; i++) run(inputs[i % inputs.length]!); // warm-up
  // CPU time of this process, not wall time: other work on the machine must not count.
  let count = 0;
  const start = process.cpuUsage();
  const cpuSeconds = () => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6;
  };
  while (cpuSeconds() < seconds) {
    for (let i = 0; i < 200; i++) run(inputs[(count + i) % inputs.length]!);
    count += 200;
  }
  const perSecond = count / cpuSeconds();
  const avgChars = Math.round(inputs.reduce((n, t) => n + t.length, 0) / inputs.length);
  console.log(
    `${label.padEnd(34)} ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} /s  (avg ${avgChars} chars)`,
  );
}

const chains = CHAIN_IDS;
const corrections = Array.from({ length: 1000 }, (_, i) => ({
  text: `${texts[i % texts.length]} ${i}`,
  chain: chains[i % chains.length]!,
}));
const index = buildCorrectionIndex(corrections);
const huge = 'The export is broken and users report errors. '.repeat(900).slice(0, 40_000);

console.log(
  `classifier benchmark: ${texts.length} distinct requests, classifications per CPU-second (one core)`,
);
measure('typical requests', (t) => classify(t), texts);
measure('typical + 1,000 corrections', (t) => classify(t, { corrections: index }), texts);
measure('40,000-character request', (t) => classify(t), [huge], 1);
