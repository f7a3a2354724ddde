import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  attributeLogits,
  attributeLogitsOfWords,
  FLAG_AT,
  parseAttributeModel,
  pickBugSeverity,
  pickFlags,
  WIDTH,
} from '../../../routing/classifier/attributes.ts';
import { classify, requestAttributeFeatures, requestWords } from '../../../routing/classifier/classify.ts';
import { serializeModel, stemFeatures } from '../../../routing/classifier/model.ts';
import { FLAG_ORDER } from '../../../routing/classifier/types.ts';
import {
  ATTRIBUTE_CORPORA,
  CORPUS_FILES,
  loadCorpus,
  SEVERITY_CORPORA,
} from '../../../tools/classifier/corpora.ts';
import { trainAttributes } from '../../../tools/classifier/train.ts';

const ATTRIBUTE_MODEL_TEXT = readFileSync(
  fileURLToPath(new URL('../../../routing/classifier/attribute-weights.txt', import.meta.url)),
  'utf8',
);

describe('attribute model: severity and flags, learned', () => {
  const examples = [
    { text: 'the invoice total is off by a cent', chain: 'bug' as const, severity: 'medium' },
    { text: 'the invoice total is off by a cent again', chain: 'bug' as const, severity: 'medium' },
    { text: 'typo in the footer of the invoice', chain: 'bug' as const, severity: 'low' },
    { text: 'typo on the invoice header', chain: 'bug' as const, severity: 'low' },
    { text: 'customers charged twice for the invoice', chain: 'bug' as const, severity: 'critical' },
    { text: 'customers charged twice at checkout', chain: 'bug' as const, severity: 'critical' },
    { text: 'login crashes the app', chain: 'bug' as const, severity: 'high' },
    { text: 'login crashes on android', chain: 'bug' as const, severity: 'high' },
  ];
  const flagged = [
    { text: 'add a wallet top up', chain: 'feature' as const, flags: ['payments' as const] },
    { text: 'wallet balance is wrong', chain: 'bug' as const, flags: ['payments' as const] },
    { text: 'add dark mode', chain: 'feature' as const },
    { text: 'rename the settings tab', chain: 'feature' as const },
  ];

  it('when trained twice on the same requests, then the weights are identical', () => {
    expect(trainAttributes(examples, flagged)).toEqual(trainAttributes(examples, flagged));
  });

  it('when trained, then a bug reads with the severity its words lean to, and a flag word sets the flag', () => {
    const model = parseAttributeModel(serializeModel(trainAttributes(examples, flagged, { minCount: 1 })));
    const z = attributeLogits(model, ['stem-that-is-unknown', 'typo']);
    expect(z).toHaveLength(WIDTH);
    expect(pickBugSeverity(z)).toBe('low');
    const wallet = attributeLogits(model, ['wallet']);
    expect(wallet[FLAG_AT + FLAG_ORDER.indexOf('payments')]).toBeGreaterThan(0);
    expect(pickFlags(wallet, 0)).toContain('payments');
  });

  it('when the requester states a severity, then it wins over the model', () => {
    expect(classify('P3: the export crashes for every customer').severity).toBe('low');
    expect(classify('sev3 - the whole site is down for everyone').severity).toBe('sev3');
  });

  it('when a flag rule fires, then the flag is kept whatever the model says', () => {
    expect(classify('Let customers pay with Apple Pay at checkout').flags).toContain('payments');
    expect(classify('Let customers pay with Apple Pay at checkout', { attributes: null }).flags).toContain(
      'payments',
    );
  });

  it('when read word by word, then the logits are exactly those of the feature list, on every corpus request', () => {
    const model = parseAttributeModel(ATTRIBUTE_MODEL_TEXT);
    let checked = 0;
    for (const name of Object.keys(CORPUS_FILES)) {
      for (const { request } of loadCorpus(name)) {
        const words = requestWords(request.text);
        const stems = new Set(stemFeatures(words));
        const extra = requestAttributeFeatures(request.text, request.chain).filter((f) => f.includes(':'));
        const expected = attributeLogits(model, [...stems, ...extra]);
        expect(attributeLogitsOfWords(model, words, extra)).toEqual(expected);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });

  it('when the corpora are unchanged, then attribute-weights.txt is what train-model.ts writes', () => {
    const stored = parseAttributeModel(ATTRIBUTE_MODEL_TEXT);
    const load = (names: readonly string[]) => names.flatMap((n) => loadCorpus(n).map((e) => e.request));
    const fresh = trainAttributes(load(SEVERITY_CORPORA), load(ATTRIBUTE_CORPORA));
    expect(Array.from(stored.bias)).toEqual(fresh.bias);
    expect(stored.rows.size).toBe(Object.keys(fresh.weights).length);
  }, 90_000);
});
