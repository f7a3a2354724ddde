import { describe, expect, it } from 'vitest';
import { CORRECTION_SIMILARITY, contentTokens } from '../../../routing/classifier/corrections.ts';
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

describe('corrections: the inverted index finds what a scan of every stored request finds', () => {
  // A deterministic pseudo-random vocabulary with a few very common words, as real requests have.
  const words = ['app', 'users', 'login', 'export', 'deposit', 'chart', 'release', 'api', 'slow', 'page'];
  for (let i = 0; i < 60; i++) words.push(`word${i}x`);
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const sentence = () => {
    const n = 2 + Math.floor(next() * 9);
    return Array.from({ length: n }, () => words[Math.floor(next() ** 2 * words.length)]!).join(' ');
  };
  const chains = ['feature', 'bug', 'release', 'incident', 'cross_project', 'compliance'] as const;
  const stored: Correction[] = Array.from({ length: 400 }, (_, i) => ({
    text: sentence(),
    chain: chains[i % chains.length]!,
    at: i % 17,
  }));
  const index = buildCorrectionIndex(stored);
  const tokens = (text: string) => new Set(contentTokens(text));
  const scan = (text: string) => {
    const q = tokens(text);
    let best: { similarity: number; at: number; order: number; correction: Correction } | null = null;
    stored.forEach((correction, order) => {
      const e = tokens(correction.text);
      if (e.size === 0 || q.size === 0) return;
      let overlap = 0;
      for (const t of q) if (e.has(t)) overlap++;
      const similarity = overlap / (q.size + e.size - overlap);
      if (similarity < CORRECTION_SIMILARITY) return;
      const at = correction.at ?? 0;
      if (
        !best ||
        similarity > best.similarity ||
        (similarity === best.similarity && (at > best.at || (at === best.at && order > best.order)))
      )
        best = { similarity, at, order, correction };
    });
    return best as { similarity: number; correction: Correction } | null;
  };

  it('when 300 queries are looked up, then each finds the same stored request with the same similarity', () => {
    let found = 0;
    for (let i = 0; i < 300; i++) {
      const query = sentence();
      const want = scan(query);
      const got = index.match(query);
      expect(got?.correction ?? null).toBe(want?.correction ?? null);
      if (want) {
        found++;
        expect(got!.similarity).toBeCloseTo(want.similarity, 12);
      }
    }
    expect(found).toBeGreaterThan(20);
  });

  it('when classify passes the words it has already read, then the match is the same as from the text', () => {
    const text = '<@U1|ana> Login is *slow* on the mobile app since this morning';
    expect(classify(text, { corrections: buildCorrectionIndex(corrections) }).correctedBy).toBe(
      buildCorrectionIndex(corrections).match(text)?.correction.text,
    );
  });
});
