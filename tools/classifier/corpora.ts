/**
 * The labelled corpora the token model learns from and the classifier is checked on.
 * `blind13.jsonl` and `blind14.jsonl` are the final checks: never trained or tuned on.
 *
 * First looks, each scored once before anything was changed for it:
 * - blind5 (267 requests): 87.6% chains right, 24.0% asked, 3.4% started wrong; flags 69.8%,
 *   severity 39.7% (mostly wish-phrased features and symptom-phrased bugs with no rule word).
 * - blind6 (210 requests), final check after the chain prior, wish openings and symptom
 *   phrasing: 88.1% right, 11.9% asked, 4.3% started wrong; flags 69.4%, severity 34.0%.
 *   (The code before those changes: 83.8% right, 27.1% asked, 2.4% started wrong.) Both
 *   goals (≤ 10% asked, ≤ 2% started wrong) are missed on it: not tuned on afterwards.
 * - train2 (1,140 requests written for the weak spots: wishes and "X should …" features,
 *   symptom-only bugs, incident vs bug scope, cross-project vs single-project, release vs
 *   fix, compliance vs security bug) trained on from then on, with L2 0.005 and the ask
 *   settings re-picked by `crossval.ts`: held-out union 96.5% right, 6.9% asked, 1.0% started
 *   wrong (before: 94.9%, 8.4%, 1.4%).
 * - blind7 (278 requests, written before train2) and blind6, final checks scored once after
 *   that: blind7 88.8% right, 25.2% asked, 3.6% started wrong; flags 79.6%, severity 68.6%
 *   (the code before: 83.5%, 20.9%, 8.6%; 73.7%, 61.0%). blind6 91.0% right, 17.6% asked,
 *   1.9% started wrong; flags 70.4%, severity 37.2%. Fewer wrong starts, more asks: the ask
 *   goal (≤ 10%) is missed on both, started wrong (≤ 2%) is met on blind6 only. Most asks and
 *   wrong starts are still features phrased as "X should …" read as bugs.
 * - blind8 (274 requests, written and committed before any change for it), then the request
 *   frame (`frames.ts`: a wanted behaviour vs an observed defect, in the rules and as the
 *   model's modal features) and train3 (437 requests on that boundary, both sides) trained
 *   on, ask settings re-picked by `crossval.ts`: held-out union 96.7% right, 6.4% asked, 1.0%
 *   started wrong (before: 96.5%, 6.9%, 1.0%). Final checks scored once after that: blind8
 *   92.7% right, 12.0% asked, 4.4% started wrong; flags 63.1%, severity 34.8% (the code
 *   before: 83.9%, 23.4%, 6.2%; same flags and severity). blind7 91.4%, 17.3%, 2.9%; blind6
 *   92.9%, 12.9%, 2.4% (one more wrong start than before). Features read as bugs on blind8
 *   fell from 24 to 5; both goals (≤ 10% asked, ≤ 2% started wrong) are still missed on all
 *   three: the remaining wrong starts are mostly bug vs incident/release/compliance scope.
 * - train4 (1,029 requests across domains, lengths and Slack markup, labelled from
 *   `corpus/LABELLING.md`), first look before training on it: 90.9% right, 12.9% asked, 3.7%
 *   started wrong. blind9 (320) and blind10 (300 messy Slack requests) were written from the
 *   labelling guide by writers who never saw the classifier or the other corpora, and committed
 *   before any change for them. Then blind6, blind7, blind8 and train4 were retired into the
 *   training corpora and the held-out folds, the L2 was lightened (0.005 → 0.0005), the ask
 *   settings were re-picked by `crossval.ts`, and a request that says too little asks. On the
 *   nine held-out folds (2,567 requests): 95.2% right, 9.6% asked, 1.8% started wrong (the
 *   previous L2 and settings: 93.3%, 11.1%, 2.6%). The attribute model (`attributes.ts`) was
 *   picked by `crossval-attributes.ts` (flags 83.2% found vs 80.5% for the rules alone,
 *   severity 62% vs 61%).
 * - Final checks, scored once at the end: blind9 92.2% right, 9.4% asked, 3.8% started
 *   wrong (7 of its 12 wrong starts are features worded as complaints or questions); flags
 *   85.0% (rules alone 78.9%), severity 78.7% (rules alone 71.7%). blind10 95.7% right, 6.3%
 *   asked, 1.0% started wrong; flags 86.6% (rules alone 81.0%), severity 67.5% (same). Both
 *   together (620): 93.9% right, 7.9% asked, 2.4% started wrong. The ask goal (≤ 10%) is met
 *   on both; the started-wrong goal (≤ 2%) is met on blind10 and missed on blind9.
 * - blind11 (320) and blind12 (300 hurried and long Slack requests) were written from the
 *   labelling guide by writers who never saw the classifier, and committed before they were
 *   read. Then blind9 and blind10 were retired into training and the folds; train5 (600:
 *   wishes worded as complaints and questions, and bugs in the same forms), train6 (600: the
 *   scope boundaries, bug vs incident, feature vs cross-project, compliance, release) and
 *   train7 and train8 (600 each: fresh writers' general mixes, also held out as folds; their
 *   first looks: train7 88.3% right, 18.0% asked, 3.8% started wrong, train8 95.5%, 7.3%, 1.2%)
 *   were trained on; the lexicon gained everyday cues (scope by count, mass sends, jobs that
 *   did not run, lag, missing capabilities, lost deals, regressions named by a version, fields
 *   added to shared events, review documents). Final checks, scored once: blind11 95.6% right,
 *   6.3% asked, 2.5% started wrong; flags 78.0%, severity 82.1%. blind12 93.7%, 7.0%, 3.3%;
 *   flags 82.6%, severity 78.4%. Both (620): 6.6% asked, 2.9% started wrong: asks are under
 *   the goal, wrong starts over it (13 of 18 are features and bugs read as each other).
 * - Then blind11 and blind12 were retired into training and the folds, and the ask settings
 *   re-picked on the six fresh writers' folds (`classify.ts` TUNING). blind13 and blind14
 *   (300 each) were written meanwhile by writers who never saw the classifier or any corpus,
 *   and committed unread.
 * - Final checks, scored once at the end: blind13 97.0% right, 4.3% asked, 1.7% started
 *   wrong; flags 88.4%, severity 83.8%. blind14 98.0%, 5.0%, 0.3%; flags 86.7%, severity
 *   82.1%. Both (600): 4.7% asked, 1.0% started wrong: both goals met on both.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type LabelledRequest, parseLabelledJsonl } from './evaluate.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const CORPUS_FILES: Readonly<Record<string, string>> = {
  dev: here('./corpus/dev.jsonl'),
  train: here('./corpus/train.jsonl'),
  heldout: here('./corpus/heldout.jsonl'),
  blind: here('./corpus/blind.jsonl'),
  blind2: here('./corpus/blind2.jsonl'),
  blind3: here('./corpus/blind3.jsonl'),
  blind4: here('./corpus/blind4.jsonl'),
  blind5: here('./corpus/blind5.jsonl'),
  blind6: here('./corpus/blind6.jsonl'),
  train2: here('./corpus/train2.jsonl'),
  blind7: here('./corpus/blind7.jsonl'),
  train3: here('./corpus/train3.jsonl'),
  blind8: here('./corpus/blind8.jsonl'),
  train4: here('./corpus/train4.jsonl'),
  blind9: here('./corpus/blind9.jsonl'),
  blind10: here('./corpus/blind10.jsonl'),
  train5: here('./corpus/train5.jsonl'),
  train6: here('./corpus/train6.jsonl'),
  train7: here('./corpus/train7.jsonl'),
  train8: here('./corpus/train8.jsonl'),
  blind11: here('./corpus/blind11.jsonl'),
  blind12: here('./corpus/blind12.jsonl'),
  blind13: here('./corpus/blind13.jsonl'),
  blind14: here('./corpus/blind14.jsonl'),
};

/** Corpora the model is trained on (everything but the final check). */
export const TRAINING_CORPORA = [
  'dev',
  'train',
  'heldout',
  'blind',
  'blind2',
  'blind3',
  'blind4',
  'blind5',
  'train2',
  'train3',
  'blind6',
  'blind7',
  'blind8',
  'train4',
  'blind9',
  'blind10',
  'train5',
  'train6',
  'train7',
  'train8',
  'blind11',
  'blind12',
] as const;
/**
 * Corpora whose bug and incident lines carry severities and whose lines carry flags (a line
 * without any asserts none): the attribute model learns from them. train3 labels chains only.
 */
export const SEVERITY_CORPORA: readonly string[] = TRAINING_CORPORA.filter((n) => n !== 'train3');
export const ATTRIBUTE_CORPORA = SEVERITY_CORPORA;
/** Corpora written after the lexicon was frozen: each is scored by a model trained without it. */
export const BLIND_CORPORA = [
  'blind',
  'blind2',
  'blind3',
  'blind4',
  'blind5',
  'blind6',
  'blind7',
  'blind8',
  'train4',
  'blind9',
  'blind10',
  'train7',
  'train8',
  'blind11',
  'blind12',
] as const;
/** Written before any change it could have steered, and scored once at the end: never trained or tuned on. */
export const FINAL_CORPUS = 'blind14';
/**
 * The current final checks (blind13, blind14). Earlier final checks (blind6 to blind12) were
 * scored, reported and then retired into the training corpora.
 */
export const FINAL_CORPORA = ['blind13', 'blind14'] as const;

/** A corpus by name; an unknown name or a missing file throws (a model must never train on less without saying so). */
export function loadCorpus(name: string): { line: number; request: LabelledRequest }[] {
  const path = CORPUS_FILES[name];
  if (!path) throw new Error(`unknown corpus: ${name}`);
  return parseLabelledJsonl(readFileSync(path, 'utf8'));
}
