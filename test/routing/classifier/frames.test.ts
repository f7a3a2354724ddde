import { describe, expect, it } from 'vitest';
import { CHAIN_PRIOR, classify, withPrior } from '../../../routing/classifier/classify.ts';
import { frameFeatures, frameScore, readFrame } from '../../../routing/classifier/frames.ts';
import { toTokens } from '../../../routing/classifier/normalize.ts';
import {
  frameKind,
  opensAsWish,
  WISH_FRAME_WEIGHT,
  WISH_WEIGHT,
} from '../../../routing/classifier/scoring.ts';
import { CHAIN_IDS } from '../../../routing/classifier/types.ts';

describe('chain prior: a request that says nothing decisive leans toward what is most often asked', () => {
  it('when the prior weighs a flat posterior, then features and bugs come first and it still sums to 1', () => {
    const flat = Float64Array.from(CHAIN_IDS, () => Math.log(1 / CHAIN_IDS.length));
    const moved = withPrior(flat, 1);
    const p = Array.from(moved, Math.exp);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    CHAIN_IDS.forEach((c, i) => expect(p[i]).toBeCloseTo(CHAIN_PRIOR[c], 9));
  });

  it('when the prior weight is 0, then the posterior is unchanged', () => {
    const logProbs = Float64Array.from([-1, -2, -3, -2.5, -3, -3.2]);
    expect(withPrior(logProbs, 0)).toBe(logProbs);
  });

  it('when the lexicon has a signal, then the prior does not move the blend (only the model alone is calibrated)', () => {
    const withSignal = 'Build a savings goal tracker for the mobile app';
    const a = classify(withSignal, { tuning: { priorWeight: 0 } });
    const b = classify(withSignal, { tuning: { priorWeight: 1 } });
    expect(b.confidence).toBe(a.confidence);
  });
});

describe('wish openings: a request that opens as a wish or a question about the product', () => {
  it.each([
    'thoughts on letting people pin funds to the top?',
    'what if users could split a deposit',
    'can we show the fees paid this year on the profile',
    'would it make sense to add a checklist',
    'let people rename their goals',
    'allow deposits every two weeks',
    'is there a way we could allow partial withdrawals',
    'i want to be able to reorder my portfolios',
    'what do you all think about a community tab',
    'could the search bar match isins too',
    'want esg filter on the explorer',
  ])('when it reads %j, then it opens as a wish', (tokens) => {
    expect(opensAsWish(tokens)).toBe(true);
  });

  it.each([
    'cant add a second bank account',
    'any idea why the app closes itself',
    'is anyone else seeing timeouts',
    'the mobile app shows a blank screen',
    'new users cant sign up',
    'could the app not crash on launch please',
  ])('when it reads %j, then it does not', (tokens) => {
    expect(opensAsWish(tokens)).toBe(false);
  });

  it('when a wish contains weak symptom words, then it is a feature, and says it opened as a wish', () => {
    const r = classify('Allow uploading a photo of the document instead of a PDF');
    expect(r.chain).toBe('feature');
    expect(r.signals.some((s) => s.phrase === 'opens as a wish' && s.weight === WISH_WEIGHT)).toBe(true);
  });

  it('when a wish names a real malfunction, then strong bug words still count', () => {
    const r = classify('can we look at why checkout is broken and crashes on submit');
    expect(r.chain).toBe('bug');
  });
});

describe('everyday symptom phrasing without bug words', () => {
  it.each([
    'transfer to the savings pocket says success but the money never moves',
    'the interest wasnt credited this month for people who joined in March',
    'the download statement button gives an empty file',
    'the add button is greyed out on the bank accounts screen',
  ])('when it reads %j, then it is a bug', (text) => {
    expect(classify(text).chain).toBe('bug');
  });

  it('when the numbers only add up wrongly, then "add" is not a feature request', () => {
    expect(classify('the allocation percentages add up to 103%').chain).toBe('bug');
  });

  it('when a count of users is to be measured, then it is not the scope of an outage', () => {
    expect(classify('track how many users open the learn section').chain).not.toBe('incident');
  });

  it('when a session timeout is the subject, then it is a product behaviour, not a service timing out', () => {
    expect(classify('session timeout on web logs you out in the middle of an order').chain).toBe('bug');
  });

  it('when a customer complaint is quoted, then "complaint" is not read as "compliant"', () => {
    expect(classify('customer complaint: my monthly plan was charged twice').chain).toBe('bug');
  });
});

describe('frame: a wanted behaviour against an observed defect', () => {
  const kindOf = (text: string) => frameKind(toTokens(text).join(' '));

  it.each([
    'the pricing page should show annual prices by default',
    'the invoice list needs a filter for unpaid ones',
    'it would help if receipts listed the card used',
    'the signup form should remember the country from last time',
  ])('when it reads %j, then it states a wanted behaviour', (text) => {
    expect(kindOf(text)).toBe('wish');
  });

  it.each([
    'the total should be 40 but the summary shows 38',
    'the balance should update after a deposit but it stays the same',
    'why does the export have US dates? it should be dd/mm',
  ])('when it reads %j, then it is an expectation the product misses', (text) => {
    expect(kindOf(text)).toBe('expectation');
  });

  it('when a modal stands next to an observed contrary fact, then it counts for the defect', () => {
    const seen = readFrame(toTokens('the fee should be 1 EUR but we charged 2.50').join(' '));
    const target = readFrame(toTokens('the fee should be shown before confirming').join(' '));
    expect(frameScore(seen)).toBeLessThan(0);
    expect(frameScore(target)).toBeGreaterThan(0);
  });

  it('when the model reads a modal, then it knows whether something was observed beside it', () => {
    expect(frameFeatures('the chart should start on monday')).toEqual(['~modal']);
    expect(frameFeatures('the chart should start on monday but it shows sunday')).toEqual(['~modal+seen']);
    expect(frameFeatures('the chart starts on sunday')).toEqual([]);
  });

  it('when another chain leads, then the frame does not pull the request toward New Feature', () => {
    const r = classify('we should run the quarterly GDPR audit before the release');
    expect(r.signals.some((s) => s.phrase === 'states a wanted behaviour')).toBe(false);
  });

  it('when a wish is phrased as a target state, then it is a feature and says why', () => {
    const r = classify('the statement page should default to the current month');
    expect(r.chain).toBe('feature');
    expect(
      r.signals.some((s) => s.phrase === 'states a wanted behaviour' && s.weight === WISH_FRAME_WEIGHT),
    ).toBe(true);
  });

  it('when the same wish is reported as missed, then it is a bug', () => {
    const r = classify('the statement page should open on the current month but it shows January');
    expect(r.chain).toBe('bug');
  });
});
