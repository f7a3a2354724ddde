import { describe, expect, it } from 'vitest';
import { CHAIN_PRIOR, classify, withPrior } from '../../../routing/classifier/classify.ts';
import { opensAsWish, WISH_WEIGHT } from '../../../routing/classifier/scoring.ts';
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
