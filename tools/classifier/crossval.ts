/**
 * `node --import tsx tools/classifier/crossval.ts [--l2 0.005]`: honest figures for the
 * blend of lexicon and token model. Each blind corpus is scored by a model trained on every
 * other corpus (never the final checks, FINAL_CORPORA), over a grid of blend, prior and ask
 * parameters; prints the settings that keep started-wrong ≤ 2% with asks ≤ 10% on the
 * union, best accuracy first.
 */
import { classify, TUNING, type Tuning } from '../../routing/classifier/classify.ts';
import { loadModel, type TokenModel } from '../../routing/classifier/model.ts';
import { BLIND_CORPORA, loadCorpus, TRAINING_CORPORA } from './corpora.ts';
import { evaluate } from './evaluate.ts';
import { trainModel } from './train.ts';

const args = process.argv.slice(2);
const l2Arg = args.indexOf('--l2');
const l2 = l2Arg >= 0 ? Number(args[l2Arg + 1]) : undefined;

const folds = BLIND_CORPORA.map((held) => {
  const examples = TRAINING_CORPORA.filter((n) => n !== held).flatMap((n) =>
    loadCorpus(n).map((e) => e.request),
  );
  return { held, data: loadCorpus(held), model: loadModel(trainModel(examples, { l2 })) };
});

interface Row {
  tuning: Tuning;
  total: number;
  correct: number;
  asked: number;
  wrong: number;
  per: string;
}

function score(tuning: Tuning, model: (fold: (typeof folds)[number]) => TokenModel | null): Row {
  const row: Row = { tuning, total: 0, correct: 0, asked: 0, wrong: 0, per: '' };
  for (const fold of folds) {
    const m = model(fold);
    const e = evaluate(fold.data, (text) => classify(text, { model: m, tuning }));
    row.total += e.total;
    row.correct += e.correct;
    row.asked += e.asked;
    row.wrong += e.startedWrong;
    row.per += ` ${fold.held} ${e.correct}/${e.asked}/${e.startedWrong}`;
  }
  return row;
}

const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}%`.padStart(6);
const show = (r: Row) =>
  `acc ${pct(r.correct, r.total)} ask ${pct(r.asked, r.total)} wrong ${pct(r.wrong, r.total)}  p=${r.tuning.priorWeight} w=${r.tuning.modelWeight} t=${r.tuning.threshold} g=${r.tuning.agreeThreshold} d=${r.tuning.disagreement} a=${r.tuning.modelAlone} e=${r.tuning.minEvidence} f=${r.tuning.askOnFlip}  [right/asked/wrong:${r.per}]`;

console.log(`rules only (current TUNING): ${show(score(TUNING, () => null))}`);
console.log(`blend, current TUNING:       ${show(score(TUNING, (f) => f.model))}`);
const rows: Row[] = [];
for (const priorWeight of [0.5, 1.5])
  for (const modelWeight of [1.5, 2, 2.5, 3])
    for (const threshold of [0.85, 0.9, 0.93, 0.95, 0.97, 0.98])
      for (const agreeThreshold of [0.3, 0.6])
        for (const disagreement of [0.7, 1.01])
          for (const modelAlone of [0.6])
            rows.push(
              score(
                {
                  modelWeight,
                  threshold,
                  agreeThreshold,
                  disagreement,
                  modelAlone,
                  minEvidence: 0,
                  askOnFlip: false,
                  priorWeight,
                  flagThreshold: TUNING.flagThreshold,
                },
                (f) => f.model,
              ),
            );
const MAX_WRONG = 0.02;
const MAX_ASK = 0.1;
const ok = rows.filter((r) => r.wrong <= MAX_WRONG * r.total && r.asked <= MAX_ASK * r.total);
ok.sort((a, b) => b.correct - a.correct || a.wrong - b.wrong || a.asked - b.asked);
console.log(`\n${ok.length} of ${rows.length} settings meet wrong ≤ 2% and ask ≤ 10%:`);
for (const r of ok.slice(0, 15)) console.log(show(r));
console.log('\nfewest asks with started-wrong ≤ 2%:');
for (const r of rows
  .filter((r) => r.wrong <= MAX_WRONG * r.total)
  .sort((a, b) => a.asked - b.asked || a.wrong - b.wrong || b.correct - a.correct)
  .slice(0, 10))
  console.log(show(r));
const near = rows
  .filter((r) => r.asked <= 0.12 * r.total)
  .sort((a, b) => a.wrong - b.wrong || a.asked - b.asked)
  .slice(0, 10);
console.log('\nfewest started-wrong with ask ≤ 12%:');
for (const r of near) console.log(show(r));
