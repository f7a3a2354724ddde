import { describe, expect, it } from 'vitest';
import { maskQuotedLabels } from '../../../routing/classifier/classify.ts';
import { normalizeSlackText } from '../../../routing/classifier/index.ts';
import { makeTitle, toTokens } from '../../../routing/classifier/normalize.ts';
import { correctTypo } from '../../../routing/classifier/typos.ts';

describe('normalizeSlackText', () => {
  it.each([
    ['a user mention with a name', '<@U012AB3CD|maria> please look', 'please look'],
    ['a bare user mention', 'hey <@U012AB3CD> look', 'hey look'],
    ['a user group', '<!subteam^S0614TZR7|@oncall> help', 'help'],
    ['a bare user group', '<!subteam^S0614TZR7> help', 'help'],
    ['@here', '<!here> site down', 'site down'],
    ['a link with a label', 'see <https://x.io/spec|the spec> now', 'see the spec now'],
    ['a bare link', 'see <https://x.io/spec>', 'see https://x.io/spec'],
    ['a mailto link', 'mail <mailto:a@b.io|a@b.io>', 'mail a@b.io'],
    ['a channel', 'ask in <#C123ABC|general>', 'ask in #general'],
    ['emoji codes', ':fire: api is down :fire::skin-tone-2:', 'api is down'],
    ['inline code', 'rename `userId` to `accountId`', 'rename userId to accountId'],
    ['a code block', 'logs: ```at x.ts:1\nboom``` help', 'logs: help'],
    ['bold, italic and strike', '*please* _do_ ~not~ wait', 'please do not wait'],
    ['snake_case words', 'the user_id column', 'the user_id column'],
    ['entities', 'a &amp; b &lt;c&gt;', 'a & b <c>'],
    ['a quote', '&gt; quoted line', 'quoted line'],
    ['newlines and spaces', '  one\n\n two  ', 'one two'],
    ['a date token', 'due <!date^1392734382^{date}|Feb 18>', 'due Feb 18'],
  ])('when the text has %s, then it is rendered as plain text', (_what, input, expected) => {
    expect(normalizeSlackText(input)).toBe(expected);
  });

  it('when the text is empty, then the result is empty', () => {
    expect(normalizeSlackText('')).toBe('');
  });
});

describe('normalizeSlackText: HTML typed into Slack', () => {
  it.each([
    ['&lt;script&gt;alert(1)&lt;/script&gt;', ''],
    ['<script>alert(1)</script> checkout is broken', 'checkout is broken'],
    ['&lt;img src=x onerror=alert(1)&gt; hi', 'hi'],
    ['&lt;b&gt;Login&lt;/b&gt; is broken', 'Login is broken'],
    ['a &lt;script&gt; tag in the name runs', 'a <script> tag in the name runs'],
    ['Array&lt;string&gt; is wrong', 'Array<string> is wrong'],
    ['see &lt;br/&gt; here', 'see here'],
    ['x &lt; 5 and y &gt; 3', 'x < 5 and y > 3'],
    ['a `&lt;script&gt;` tag in the name runs', 'a <script> tag in the name runs'],
    ['<https://x.io|the spec> and <@U1> ok', 'the spec and ok'],
  ])('when the text is %j, then it reads %j (tags and scripts go, a lone tag and inline code stay)', (text, readable) => {
    expect(normalizeSlackText(text)).toBe(readable);
  });
});

describe('toTokens', () => {
  it.each([
    ["doesn't work", ['doesnt', 'work']],
    ['It’s DOWN!!', ['its', 'down']],
    ['cut v2.4.1 now', ['cut', 'v2.4.1', 'now']],
    ['5xx rate 42%', ['5xx', 'rate', '42%']],
    ['go/no-go', ['go', 'no', 'go']],
    ['Café résumé', ['cafe', 'resume']],
  ])('when the text is %j, then the tokens are %j', (text, tokens) => {
    expect(toTokens(text)).toEqual(tokens);
  });
});

describe('correctTypo', () => {
  it.each([
    ['borken', 'broken'],
    ['relase', 'release'],
    ['reveiw', 'review'],
    ['shipp', 'ship'],
    ['outtage', 'outage'],
    ['compliace', 'compliance'],
  ])('when the token is %s, then it is read as %s', (typo, word) => {
    expect(correctTypo(typo)).toBe(word);
  });

  it.each([
    'branch',
    'token',
    'report',
    'users',
    'shape',
    'later',
    'bug',
    'ship',
  ])('when the token is the real word %s, then it is kept', (word) => {
    expect(correctTypo(word)).toBe(word);
  });
});

describe('makeTitle', () => {
  it('when the text is short, then it is the title', () => {
    expect(makeTitle('Fix the login')).toBe('Fix the login');
  });

  it('when the text is long, then the title is cut at a word within 120 characters', () => {
    const title = makeTitle('word '.repeat(100));
    expect(title.length).toBeLessThanOrEqual(120);
    expect(title.endsWith('…')).toBe(true);
  });
});

describe('maskQuotedLabels', () => {
  it.each([
    ["the 'Add funds' sheet never closes", 'the  label  sheet never closes'],
    ['the “Forgot password” page', 'the  label  page'],
    ["it's broken for users' accounts", "it's broken for users' accounts"],
  ])('when the text is %j, then quoted labels become one neutral word', (text, expected) => {
    expect(maskQuotedLabels(text)).toBe(expected);
  });
});
