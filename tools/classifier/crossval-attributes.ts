/**
 * `node --import tsx tools/classifier/crossval-attributes.ts [--l2 a,b,…]`: honest figures
 * for the learned severity and flags (`attributes.ts`). Each labelled corpus is scored by an
 * attribute model trained on every other one (never the final checks), against the rules
 * alone, for a few L2 strengths and flag thresholds.
 */
import { parseAttributeModel } from '../../routing/classifier/attributes.ts';
import { classify, TUNING } from '../../routing/classifier/classify.ts';
import { serializeModel } from '../../routing/classifier/model.ts';
import { ATTRIBUTE_CORPORA, loadCorpus, SEVERITY_CORPORA } from './corpora.ts';
import { evaluate } from './evaluate.ts';
import { trainAttributes } from './train.ts';

const args = process.argv.slice(2);
const l2Arg = args.indexOf('--l2');
const l2s = l2Arg >= 0 ? args[l2Arg + 1]!.split(',').map(Number) : [0.001, 0.003];
const thresholds = [-1, -0.5, 0, 0.5];

const held = [...new Set([...SEVERITY_CORPORA, ...ATTRIBUTE_CORPORA])];
interface Tally {
  flagsRight: number;
  flagsLabelled: number;
  flagsExtra: number;
  sevRight: number;
  sevLabelled: number;
}
const empty = (): Tally => ({ flagsRight: 0, flagsLabelled: 0, flagsExtra: 0, sevRight: 0, sevLabelled: 0 });
const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`.padStart(6);
const show = (t: Tally) =>
  `flags ${pct(t.flagsRight, t.flagsLabelled)} (${t.flagsRight}/${t.flagsLabelled}, ${t.flagsExtra} extra)  severity ${pct(t.sevRight, t.sevLabelled)} (${t.sevRight}/${t.sevLabelled})`;

function add(t: Tally, data: ReturnType<typeof loadCorpus>, run: Parameters<typeof evaluate>[1]): void {
  const e = evaluate(data, run);
  t.flagsRight += e.flags.right;
  t.flagsLabelled += e.flags.labelled;
  t.flagsExtra += e.flags.extra;
  t.sevRight += e.severity.right;
  t.sevLabelled += e.severity.labelled;
}

const rules = empty();
for (const name of held) add(rules, loadCorpus(name), (text) => classify(text, { attributes: null }));
console.log(`rules alone:            ${show(rules)}`);

for (const l2 of l2s) {
  const tallies = thresholds.map(empty);
  for (const name of held) {
    const others = (names: readonly string[]) =>
      names.filter((n) => n !== name).flatMap((n) => loadCorpus(n).map((e) => e.request));
    const model = parseAttributeModel(
      serializeModel(trainAttributes(others(SEVERITY_CORPORA), others(ATTRIBUTE_CORPORA), { l2 })),
    );
    const data = loadCorpus(name);
    thresholds.forEach((flagThreshold, i) => {
      add(tallies[i]!, data, (text) =>
        classify(text, { attributes: model, tuning: { ...TUNING, flagThreshold } }),
      );
    });
  }
  thresholds.forEach((t, i) => {
    console.log(`l2 ${String(l2).padEnd(6)} flag logit > ${String(t).padEnd(4)} ${show(tallies[i]!)}`);
  });
}
