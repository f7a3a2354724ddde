/**
 * Training of the token model (see `model.ts`): multinomial logistic regression with L2,
 * class-balanced, fitted by full-batch Adam from zero weights for a fixed number of steps.
 * No randomness and a fixed feature order, so the same corpora always give the same weights.
 */
import {
  BUG_AT,
  BUG_SEVERITIES,
  FLAG_AT,
  INCIDENT_AT,
  INCIDENT_SEVERITIES,
  WIDTH,
} from '../../routing/classifier/attributes.ts';
import { requestAttributeFeatures, requestWords } from '../../routing/classifier/classify.ts';
import { modelFeatures, type SerializedModel } from '../../routing/classifier/model.ts';
import { CHAIN_IDS, FLAG_ORDER } from '../../routing/classifier/types.ts';
import type { LabelledRequest } from './evaluate.ts';

export interface TrainOptions {
  /**
   * L2 strength per example (default 0.0005: with ~4,800 requests, cross-validated on nine
   * held-out corpora, 0.0005 beat 0.001, 0.002, 0.005 and 0.01 on both asks and wrong starts).
   */
  l2?: number;
  /** Gradient steps (default 250). */
  steps?: number;
  /** A feature is kept when at least this many requests have it (default 2). */
  minCount?: number;
}

export function trainModel(
  examples: readonly Pick<LabelledRequest, 'text' | 'chain'>[],
  options: TrainOptions = {},
): SerializedModel {
  const docs = examples.map((e) => modelFeatures(requestWords(e.text)));
  const Y = examples.map((e) => CHAIN_IDS.indexOf(e.chain));
  return fitLogistic(docs, Y, CHAIN_IDS.length, options);
}

/**
 * Trains the attribute model (`attributes.ts`): the bug severity head on bugs with a labelled
 * severity, the incident head on incidents with one, and each flag head on `flagged`, the
 * requests whose flags were labelled (a request there without a flag asserts it has none).
 */
export function trainAttributes(
  severityExamples: readonly LabelledRequest[],
  flagged: readonly LabelledRequest[],
  options: TrainOptions = {},
): SerializedModel {
  const fit = { l2: options.l2 ?? 0.001, steps: options.steps ?? 250, minCount: options.minCount ?? 2 };
  const cache = new Map<LabelledRequest, string[]>();
  const features = (e: LabelledRequest) => {
    const cached = cache.get(e);
    if (cached) return cached;
    const f = requestAttributeFeatures(e.text, e.chain);
    cache.set(e, f);
    return f;
  };
  const bias = new Array<number>(WIDTH).fill(0);
  const weights: Record<string, number[]> = {};
  const put = (feature: string, column: number, value: number) => {
    let row = weights[feature];
    if (!row) {
      row = new Array<number>(WIDTH).fill(0);
      weights[feature] = row;
    }
    row[column] = value;
  };
  const softmaxHead = (chain: 'bug' | 'incident', classes: readonly string[], at: number) => {
    const rows = severityExamples.filter((e) => e.chain === chain && classes.includes(e.severity ?? ''));
    const head = fitLogistic(
      rows.map(features),
      rows.map((e) => classes.indexOf(e.severity!)),
      classes.length,
      { ...fit, balanced: false },
    );
    head.bias.forEach((v, k) => {
      bias[at + k] = v;
    });
    for (const [feature, row] of Object.entries(head.weights))
      row.forEach((v, k) => {
        put(feature, at + k, v);
      });
  };
  softmaxHead('bug', BUG_SEVERITIES, BUG_AT);
  softmaxHead('incident', INCIDENT_SEVERITIES, INCIDENT_AT);
  const flaggedFeatures = flagged.map(features);
  FLAG_ORDER.forEach((flag, i) => {
    const head = fitLogistic(
      flaggedFeatures,
      flagged.map((e) => (e.flags?.includes(flag) ? 1 : 0)),
      2,
      { ...fit, balanced: false },
    );
    // A yes/no softmax is one logit: the difference of its two columns.
    bias[FLAG_AT + i] = round3(head.bias[1]! - head.bias[0]!);
    for (const [feature, row] of Object.entries(head.weights))
      put(feature, FLAG_AT + i, round3(row[1]! - row[0]!));
  });
  const sorted: Record<string, number[]> = {};
  for (const feature of Object.keys(weights).sort()) sorted[feature] = weights[feature]!;
  return { bias, weights: sorted };
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

export interface FitOptions extends TrainOptions {
  /** Weigh each class equally however often it occurs (default true). */
  balanced?: boolean;
}

/**
 * Fits the logistic regression to documents given as feature lists, `Y[i]` the class of
 * `docs[i]` (0..K-1). Deterministic.
 */
export function fitLogistic(
  docs: readonly (readonly string[])[],
  Y: readonly number[],
  K: number,
  options: FitOptions = {},
): SerializedModel {
  const l2 = options.l2 ?? 0.0005;
  const steps = options.steps ?? 250;
  const minCount = options.minCount ?? 2;
  const balanced = options.balanced ?? true;

  const counts = new Map<string, number>();
  for (const doc of docs) for (const f of doc) counts.set(f, (counts.get(f) ?? 0) + 1);
  const vocabulary = [...counts.keys()].filter((f) => counts.get(f)! >= minCount).sort();
  const index = new Map(vocabulary.map((f, i) => [f, i]));
  const X = docs.map((doc) =>
    doc
      .map((f) => index.get(f))
      .filter((i): i is number => i !== undefined)
      .sort((a, b) => a - b),
  );
  const perClass = new Array<number>(K).fill(0);
  for (const y of Y) perClass[y]!++;
  const present = perClass.filter((n) => n > 0).length;
  const sampleWeight = Y.map((y) => (balanced ? docs.length / (present * perClass[y]!) : 1));

  const F = vocabulary.length;
  const W = new Float64Array(F * K);
  const b = new Float64Array(K);
  const mW = new Float64Array(F * K);
  const vW = new Float64Array(F * K);
  const mb = new Float64Array(K);
  const vb = new Float64Array(K);
  const gW = new Float64Array(F * K);
  const gb = new Float64Array(K);
  const z = new Float64Array(K);
  const lr = 0.05;
  const beta1 = 0.9;
  const beta2 = 0.999;
  const n = docs.length;

  for (let step = 1; step <= steps; step++) {
    gW.fill(0);
    gb.fill(0);
    for (let e = 0; e < n; e++) {
      const xs = X[e]!;
      for (let k = 0; k < K; k++) z[k] = b[k]!;
      for (const i of xs) for (let k = 0; k < K; k++) z[k]! += W[i * K + k]!;
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, z[k]!);
      let sum = 0;
      for (let k = 0; k < K; k++) {
        z[k] = Math.exp(z[k]! - max);
        sum += z[k]!;
      }
      const sw = sampleWeight[e]! / n;
      for (let k = 0; k < K; k++) {
        const g = (z[k]! / sum - (Y[e] === k ? 1 : 0)) * sw;
        gb[k]! += g;
        for (const i of xs) gW[i * K + k]! += g;
      }
    }
    for (let j = 0; j < F * K; j++) gW[j]! += l2 * W[j]!;
    const c1 = 1 - beta1 ** step;
    const c2 = 1 - beta2 ** step;
    for (let j = 0; j < F * K; j++) {
      mW[j] = beta1 * mW[j]! + (1 - beta1) * gW[j]!;
      vW[j] = beta2 * vW[j]! + (1 - beta2) * gW[j]! * gW[j]!;
      W[j]! -= (lr * (mW[j]! / c1)) / (Math.sqrt(vW[j]! / c2) + 1e-8);
    }
    for (let k = 0; k < K; k++) {
      mb[k] = beta1 * mb[k]! + (1 - beta1) * gb[k]!;
      vb[k] = beta2 * vb[k]! + (1 - beta2) * gb[k]! * gb[k]!;
      b[k]! -= (lr * (mb[k]! / c1)) / (Math.sqrt(vb[k]! / c2) + 1e-8);
    }
  }

  const round = (v: number) => Math.round(v * 1000) / 1000;
  const weights: Record<string, number[]> = {};
  vocabulary.forEach((f, i) => {
    const row = Array.from(W.subarray(i * K, i * K + K), round);
    if (row.some((v) => Math.abs(v) >= 0.02)) weights[f] = row;
  });
  return { bias: Array.from(b, round), weights };
}
