import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHAIN_RULES, FLAG_RULES, PROJECT_RULES } from '../../../routing/classifier/lexicon.ts';
import { normalizeSlackText, toTokens } from '../../../routing/classifier/normalize.ts';
import { patternStarts, RuleIndex } from '../../../routing/classifier/prefilter.ts';
import { correctTypo } from '../../../routing/classifier/typos.ts';

const corpora = [
  '../../../tools/classifier/corpus/dev.jsonl',
  '../../../tools/classifier/corpus/train.jsonl',
  '../../../tools/classifier/corpus/heldout.jsonl',
];

function texts(): string[] {
  const out: string[] = [];
  for (const path of corpora) {
    const file = fileURLToPath(new URL(path, import.meta.url));
    for (const line of readFileSync(file, 'utf8').split('\n'))
      if (line.trim()) out.push(JSON.parse(line).text);
  }
  return out;
}

describe('patternStarts', () => {
  it.each([
    ['(?:can|could) (?:we|you)', ['ca', 'co']],
    ['i ?d love', ['i ', 'id']],
    ['q[1-2] review', ['q1', 'q2']],
    ['v\\d+', ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9']],
    ['(?:\\w+ )?table', null],
  ])('when the pattern is %s, then its starts are %j', (source, expected) => {
    const starts = patternStarts(source);
    expect(starts === null ? null : [...starts].sort()).toEqual(
      expected === null ? null : [...expected].sort(),
    );
  });
});

describe('patternStarts with longer starts', () => {
  it.each([
    ['(?:ab)+c', ['abab', 'abc']],
    ['de(?:e|ee)*p', ['deee', 'deep', 'dep']],
    ['i ?d love', ['i d ', 'id l']],
    ['(?:got|gets)\\b(?<!to \\w+)', ['gets', 'got']],
    ['a(?=b)', ['a']],
    ['\\u0061b', null],
  ])('when the pattern is %s, then its four-character starts are %j', (source, expected) => {
    const starts = patternStarts(source, 4);
    expect(starts === null ? null : [...starts].sort()).toEqual(expected);
  });

  it('when the starts would be too many, then they are not worked out', () => {
    expect(patternStarts('(?:[a-z0-9.%]+ ){0,2}bug', 4, 1000)).toBeNull();
  });
});

describe('RuleIndex', () => {
  it('when run on every labelled request, then it finds exactly what running every rule finds', () => {
    for (const rules of [CHAIN_RULES, FLAG_RULES, PROJECT_RULES] as const) {
      const index = new RuleIndex<(typeof rules)[number]>(rules, (rule) => rule.re.source);
      for (const text of texts()) {
        const tokens = toTokens(normalizeSlackText(text)).map(correctTypo).join(' ');
        const brute = rules.flatMap((rule) => {
          const m = rule.re.exec(tokens);
          return m ? [{ rule, index: m.index, text: m[0] }] : [];
        });
        expect(index.matches(tokens)).toEqual(brute);
      }
    }
  });
});

describe('RuleIndex keyed on longer starts', () => {
  it('when patterns go on with any character or repeat a group, then it still finds what they find', () => {
    const rules = [
      're.?audit|audit',
      'on.?call|paged',
      '(?:users?|people) (?:(?:[a-z0-9.%]+ ){0,2})(?:want|need)',
      'v\\d+(?:\\.\\d+)+',
      '(?:can|could) (?:we|you)',
      'ab(?:cd)*e',
    ].map((source) => ({ re: new RegExp(`\\b(?:${source})\\b`) }));
    const index = new RuleIndex(rules, (rule) => rule.re.source);
    for (const text of [
      'the re audit and the reaudit',
      'who is on call oncall today paged',
      'users really do want it people need it',
      'ship v2.4.1 or v3',
      'could we or can you',
      'abe abcde abcdcde abcdc',
      'nothing here',
    ]) {
      const brute = rules.flatMap((rule) => {
        const m = rule.re.exec(text);
        return m ? [{ rule, index: m.index, text: m[0] }] : [];
      });
      expect(index.matches(text), text).toEqual(brute);
    }
  });
});

describe('the frame cues through the index', () => {
  it('when every corpus request is read, then the indexed frame equals trying every cue', async () => {
    const { scanFrame, scanFrameSlowly } = await import('../../../routing/classifier/frames.ts');
    const { CORPUS_FILES, loadCorpus } = await import('../../../tools/classifier/corpora.ts');
    const all = Object.keys(CORPUS_FILES).flatMap((name) => loadCorpus(name).map((l) => l.request.text));
    expect(all.length).toBeGreaterThan(3000);
    for (const text of all) {
      const tokens = toTokens(normalizeSlackText(text)).map(correctTypo).join(' ');
      expect(scanFrame(tokens), text).toEqual(scanFrameSlowly(tokens));
    }
  });
});
