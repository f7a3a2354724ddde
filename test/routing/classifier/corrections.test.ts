import { describe, expect, it } from 'vitest';
import {
  buildCorrectionIndex,
  type Correction,
  classify,
  formatCorrectionsJsonl,
  parseCorrectionsJsonl,
} from '../../../routing/classifier/index.ts';

const corrections: Correction[] = [
  { text: 'Login is slow on the mobile app', chain: 'bug', predicted: 'incident', at: 1 },
  { text: 'Update the onboarding copy on the landing page', chain: 'feature', predicted: 'bug', at: 2 },
];

describe('corrections: similar requests follow a stored correction', () => {
  const index = buildCorrectionIndex(corrections);

  it('when the same request comes again, then the corrected chain is started without asking', () => {
    const result = classify('login is slow on the mobile app', { corrections: index });
    expect(result.chain).toBe('bug');
    expect(result.ask).toBe(false);
    expect(result.correctedBy).toBe('Login is slow on the mobile app');
    expect(result.explanation).toMatch(/corrected/);
  });

  it('when a similar request with markup comes, then it follows the correction too', () => {
    const result = classify('<@U1|ann> :turtle: login is slow in the mobile app again', {
      corrections: index,
    });
    expect(result.chain).toBe('bug');
    expect(result.correctedBy).toBeDefined();
  });

  it('when an unrelated request comes, then the correction is not applied', () => {
    const result = classify('The whole site is down for everyone', { corrections: index });
    expect(result.chain).toBe('incident');
    expect(result.correctedBy).toBeUndefined();
  });

  it('when two corrections are equally similar, then the most recent wins', () => {
    const both = buildCorrectionIndex([
      { text: 'search results look odd', chain: 'bug', at: 10 },
      { text: 'search results look odd', chain: 'feature', at: 20 },
    ]);
    expect(both.match('search results look odd')?.correction.chain).toBe('feature');
  });

  it('when there are no corrections, then nothing matches', () => {
    expect(buildCorrectionIndex([]).match('anything at all')).toBeNull();
  });
});

describe('corrections: JSONL export and import', () => {
  it('when corrections are exported and imported, then they come back unchanged', () => {
    const text = formatCorrectionsJsonl(corrections);
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
    expect(parseCorrectionsJsonl(text)).toEqual(corrections);
  });

  it('when a line has no predicted chain, then it is still accepted', () => {
    expect(
      parseCorrectionsJsonl('{"text":"a","chain":"bug"}\n\n{"text":"b","chain":"release","predicted":null}'),
    ).toEqual([
      { text: 'a', chain: 'bug' },
      { text: 'b', chain: 'release', predicted: null },
    ]);
  });

  it.each([
    ['{"text":"a","chain":"bug"}\nnot json', /line 2: not valid JSON/],
    ['{"text":"a","chain":"nope"}', /line 1: "chain"/],
    ['{"chain":"bug"}', /line 1: "text"/],
    ['[1,2]', /line 1: expected a JSON object/],
    ['{"text":"a","chain":"bug","predicted":"x"}', /line 1: "predicted"/],
    ['{"text":"a","chain":"bug","at":"yesterday"}', /line 1: "at"/],
  ])('when the input is %j, then the error names the line', (input, message) => {
    expect(() => parseCorrectionsJsonl(input)).toThrow(message);
  });
});
