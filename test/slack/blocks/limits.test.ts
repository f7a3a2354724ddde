import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, splitText, truncate, truncateMrkdwn } from '../../../src/slack/blocks/limits.ts';

describe('limits', () => {
  it.each([
    ['short text', 'hello', 10, 'hello'],
    ['a word boundary near the end', 'the quick brown fox jumps', 20, 'the quick brown fox…'],
    ['one long word', 'x'.repeat(50), 10, `${'x'.repeat(9)}…`],
  ])('when truncating %s, then it fits and ends with …', (_what, text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
    expect(truncate(text, max).length).toBeLessThanOrEqual(max);
  });

  it('when an emoji sits at the cut, then no surrogate pair is split', () => {
    const out = truncate(`${'a'.repeat(8)}😀😀😀`, 10);
    expect(out.length).toBeLessThanOrEqual(10);
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('when mrkdwn is cut inside a mention or a code fence, then neither is left broken', () => {
    const cut = truncateMrkdwn(`hello <@U12345678> and <!subteam^S1234567|@team> end`, 30);
    expect(cut.length).toBeLessThanOrEqual(30);
    expect(cut.lastIndexOf('<')).toBeLessThan(cut.lastIndexOf('>'));
    const code = truncateMrkdwn(`\`\`\`${'x'.repeat(100)}\`\`\``, 40);
    expect(code.match(/```/g)).toHaveLength(2);
    expect(code.length).toBeLessThanOrEqual(40);
  });

  it.each([
    ['a & b < c > d', 'a &amp; b &lt; c &gt; d'],
    ['already &lt;escaped&gt; &amp; kept', 'already &lt;escaped&gt; &amp; kept'],
    ['hi <@U123|bob> in <#C123> see <https://x.test|x>', 'hi <@U123|bob> in <#C123> see <https://x.test|x>'],
    [
      '<!subteam^S123|@ops> and <!channel> <!here> <!everyone>',
      '<!subteam^S123|@ops> and &lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt;',
    ],
  ])('when escaping %j, then Slack entities stay and the rest is escaped', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it('when text is split, then every piece fits and nothing is lost but line breaks', () => {
    const text = Array.from({ length: 500 }, (_, i) => `line ${i} ${'w '.repeat(i % 20)}`).join('\n');
    const parts = splitText(text, 300);
    expect(parts.every((p) => p.length <= 300)).toBe(true);
    expect(parts.join('\n').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
  });
});
