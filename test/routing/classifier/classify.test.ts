import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type ChainId,
  CONFIDENCE_THRESHOLD,
  classify,
  describingWords,
  readFacts,
} from '../../../routing/classifier/index.ts';
import { evaluate, parseLabelledJsonl } from '../../../tools/classifier/evaluate.ts';

const devPath = fileURLToPath(new URL('../../../tools/classifier/corpus/dev.jsonl', import.meta.url));

describe('classify: the Workflow Selection Guide signals', () => {
  const cases: [string, ChainId][] = [
    ['Build this feature', 'feature'],
    ['Add this capability', 'feature'],
    ['This is broken', 'bug'],
    ['Users report X', 'bug'],
    ['Users report that exports are empty', 'bug'],
    ["Let's ship", 'release'],
    ['Prepare release', 'release'],
    ['Monitoring alert', 'incident'],
    ['Service down', 'incident'],
    ['Change the API', 'cross_project'],
    ['Update shared tokens', 'cross_project'],
    ['Audit this', 'compliance'],
    ['Quarterly schedule', 'compliance'],
    ['quarterly compliance review', 'compliance'],
  ];
  it.each(cases)('when the request is "%s", then it starts %s without asking', (text, chain) => {
    const result = classify(text);
    expect(result.chain).toBe(chain);
    expect(result.ask).toBe(false);
    expect(result.confidence).toBeGreaterThanOrEqual(CONFIDENCE_THRESHOLD);
  });
});

describe('classify: requests as people write them in Slack', () => {
  const cases: [string, string, ChainId][] = [
    [
      'a user mention and a label link',
      '<@U012AB3CD|maria> can we add <https://example.com/spec|the export spec> to reports?',
      'feature',
    ],
    ['a user group mention', '<!subteam^S0614TZR7|@oncall> checkout is down for everyone', 'incident'],
    ['an alert header', '[FIRING:1] HighErrorRate api-gateway error_rate=0.4', 'incident'],
    ['an alert inside a code block', '```[FIRING:2] APIHighLatency\nsummary: p99 > 5s```', 'incident'],
    ['emoji codes only around text', ':bug: :bug: the date picker shows the wrong month', 'bug'],
    ['a siren emoji', ':rotating_light: api :rotating_light:', 'incident'],
    ['a typo in the key word', 'the search page is borken on safari', 'bug'],
    ['a typo in release', 'prepare the relase for 2.3 please', 'release'],
    ['inline code', 'Rename `amount` to `amount_minor` in the payments API contract', 'cross_project'],
    [
      'a stack trace',
      'Opening an empty portfolio: ```TypeError: x is undefined at Portfolio.tsx:88```',
      'bug',
    ],
    [
      'several sentences',
      'Morning! Quick one. The PDF export has been blank since Friday. Happens for every account I tried.',
      'bug',
    ],
    ['HTML entities', 'Search &amp; filters are broken &gt; please fix', 'bug'],
    ['negation of bug', 'Not a bug, more of a wish: show fees per trade in the history view', 'feature'],
  ];
  it.each(cases)('when the request has %s, then it is read as %s', (_what, text, chain) => {
    expect(classify(text).chain).toBe(chain);
  });
});

describe('classify: the distinctions that matter most', () => {
  const cases: [string, string, ChainId][] = [
    ['one thing broken for one case', 'The API returns 500 when the portfolio has zero positions', 'bug'],
    ['the service failing for all', 'The API returns 500s for all requests right now', 'incident'],
    ['one feature crashing', 'The settings page crashes when you toggle notifications off', 'bug'],
    ['the whole site down', 'The whole site is down for everyone', 'incident'],
    ['a degraded service', 'Payments service degraded, p99 latency 8s', 'incident'],
    ['a new endpoint', 'Add an endpoint that returns historical dividends for a ticker', 'feature'],
    [
      'a changed contract',
      'Add a required field to the order schema consumed by mobile and web',
      'cross_project',
    ],
    [
      'a feature on two platforms',
      "Let's add push notifications for price alerts on iOS and Android",
      'feature',
    ],
    [
      'shared design tokens',
      'Update the typography scale in the design system for web and mobile',
      'cross_project',
    ],
    ['a hotfix to ship', 'We need a hotfix release for the checkout crash fix', 'release'],
    ['a pre-release audit', 'Pre-release audit for the payments launch', 'compliance'],
    ['an audit after an incident', "Incident audit for last month's payment outage", 'compliance'],
  ];
  it.each(cases)('when the request is %s, then it is %s', (_what, text, chain) => {
    expect(classify(text).chain).toBe(chain);
  });
});

describe('classify: severity, flags, projects and types', () => {
  it.each([
    ['Typo on the pricing page', 'low'],
    ['We are double-charging some customers on renewal', 'critical'],
    ['The settings page crashes when you toggle notifications off', 'high'],
    ['Charts on the dashboard are broken in Safari', 'medium'],
    ['The whole site is down for everyone', 'sev1'],
    ['Payments service degraded, p99 latency 8s', 'sev2'],
    ['Minor outage: thumbnails not loading, workaround is refresh', 'sev3'],
    ['SEV1 - checkout is completely down', 'sev1'],
  ])('when the request is "%s", then the severity is %s', (text, severity) => {
    expect(classify(text).severity).toBe(severity);
  });

  it('when the chain is neither bug nor incident, then there is no severity', () => {
    expect(classify('Build a referral program with a critical path to launch').severity).toBeNull();
  });

  it.each([
    ['Let customers pay with Apple Pay at checkout', 'payments'],
    ['Add event tracking so we can measure conversions', 'analytics'],
    ['Please add 2FA to account settings', 'security'],
    ['Build a referral program so users invite friends', 'growth'],
    ['Onboarding checklist on the landing page', 'funnel'],
    ['We need a batch endpoint for price ingestion, backend only, no UI', 'backend_only'],
    ['Migrate the users table to split first and last name', 'user_data'],
    ['Migrate the users table to split first and last name', 'multi_project'],
  ] as const)('when the request is "%s", then it is flagged %s', (text, flag) => {
    expect(classify(text).flags).toContain(flag);
  });

  it('when a change is consumed by other projects, then it is never backend-only', () => {
    expect(classify('Change the API response shape for /v1/portfolio').flags).not.toContain('backend_only');
  });

  it('when a request names platforms, then the projects follow', () => {
    expect(classify('The iOS app and the web dashboard show different balances').projects).toEqual(
      expect.arrayContaining(['web', 'mobile']),
    );
  });

  it.each([
    ['We need a hotfix release for the login crash', 'hotfix'],
    ['Code freeze for the major release starts Monday', 'major'],
    ['Minor release with small improvements today', 'minor'],
  ])('when a release says "%s", then the release type is %s', (text, type) => {
    expect(classify(text).releaseType).toBe(type);
  });

  it.each([
    ['Change the API pagination from offset to cursor everywhere', 'api_contract'],
    ['Update the shared design tokens for the new brand colors', 'design_tokens'],
    ['Data model migration: move prices from float to decimal', 'data_model'],
    ['Shared dependency upgrade: Node 18 to 22 in all services', 'dependency_upgrade'],
  ])('when a cross-project change says "%s", then the change type is %s', (text, type) => {
    expect(classify(text).changeType).toBe(type);
  });
});

describe('classify: answers for every input', () => {
  it.each([
    '',
    '   ',
    '\n\t',
    '<@U123|bob>',
    ':wave:',
  ])('when the request is empty (%j), then it says so', (text) => {
    const result = classify(text);
    expect(result.error).toBe('empty');
    expect(result.chain).toBeNull();
    expect(result.ask).toBe(true);
    expect(result.explanation).toMatch(/empty/);
  });

  it('when the request is 40,000 characters, then it answers quickly and says it read only part', () => {
    const text = 'Users report the export is broken and shows wrong totals. '.repeat(700).slice(0, 40_000);
    const start = performance.now();
    const result = classify(text);
    expect(performance.now() - start).toBeLessThan(200);
    expect(result.chain).toBe('bug');
    expect(result.title.length).toBeLessThanOrEqual(120);
    expect(result.explanation).toMatch(/first 4,000 characters/);
  });

  it('when the request has no recognisable signal, then it asks with at least two choices', () => {
    const result = classify('hey can someone look at the thing from yesterday');
    expect(result.ask).toBe(true);
    expect(result.explanation).toMatch(/says too little/);
    expect(classify('any update on the thing?').ask).toBe(true);
    expect(result.choices.length).toBeGreaterThanOrEqual(2);
    expect(result.chain).not.toBeNull();
  });

  it('when the request is ambiguous, then it asks with the best two first', () => {
    const result = classify('Login is slow');
    if (result.ask) {
      expect(result.choices).toHaveLength(2);
      expect(result.choices[0]).toBe(result.chain);
      expect(result.choices[1]).toBe(result.runnerUp?.chain);
    }
  });

  it('when the same text is classified twice, then the answers are identical', () => {
    const text = '<!here> :fire: prod API 502 on every page since 14:05';
    expect(classify(text)).toEqual(classify(text));
  });

  it('when a confident answer is given, then it explains which words decided it', () => {
    const result = classify('The login button does nothing on Android 14');
    expect(result.ask).toBe(false);
    expect(result.explanation).toContain('Bug Fix');
    expect(result.explanation).toContain('"does nothing"');
    expect(result.signals.length).toBeGreaterThan(0);
  });

  it('when text is not a string (a JavaScript caller), then it is treated as empty', () => {
    expect(classify(undefined as unknown as string).error).toBe('empty');
  });

  it('when markup surrounds the request, then the title is clean', () => {
    const result = classify('<@U1|ann> *please* add <https://x.io/a|CSV export> :pray:');
    expect(result.title).toBe('please add CSV export');
  });
});

describe('classify: noise says too little', () => {
  it.each([
    '&lt;script&gt;alert(1)&lt;/script&gt;',
    '<script>alert(1)</script>',
    '&lt;img src=x onerror=alert(1)&gt;',
    '???',
    ':fire:',
    ':rotating_light: :fire:',
    '<!here>',
    '<https://status.example.com/incidents/42>',
    'https://grafana.example.com/d/api-errors',
    '404 500',
    'hi',
    'test 123',
    'thanks!',
  ])('when the request is %j, then nothing starts and it says too little', (text) => {
    const result = classify(text);
    expect(result.ask).toBe(true);
    expect(result.error).toMatch(/^(empty|too_little)$/);
  });

  it.each([
    ['outage', 'incident'],
    ['alert(1)', 'incident'],
    ['broken', 'bug'],
  ] as const)('when one word alone names a workflow (%j), then it asks, leaning to %s', (text, chain) => {
    const result = classify(text);
    expect(result.ask).toBe(true);
    expect(result.error).toBeUndefined();
    expect(result.chain).toBe(chain);
    expect(result.explanation).toMatch(/says too little/);
  });

  it('when HTML comes around a real request, then the request is read without it', () => {
    const result = classify('&lt;b&gt;The login button does nothing on Android 14&lt;/b&gt;');
    expect(result).toMatchObject({ chain: 'bug', ask: false });
    expect(result.title).toBe('The login button does nothing on Android 14');
  });

  it('when a bug report quotes a payload in code, then the payload is still read', () => {
    const result = classify('Stored XSS: `<img src=x onerror=alert(1)>` in the bio runs for every visitor');
    expect(result.chain).toBe('bug');
    expect(result.flags).toContain('security');
  });

  it('when a word or two describe something, then describingWords finds them; noise has none', () => {
    expect(describingWords('incident db down')).toEqual(['incident', 'db', 'down']);
    expect(describingWords('release 2.4')).toEqual(['release', '2.4']);
    expect(describingWords('```[FIRING] ApiLatencyHigh```')).toEqual(['firing', 'apilatencyhigh']);
    for (const noise of ['???', ':fire: <!here>', 'hi there', '<https://x.io/a>', '<@U1|bob> 123'])
      expect(describingWords(noise), noise).toEqual([]);
  });
});

describe('readFacts: the facts for a chain the requester named', () => {
  it('when a bug states its severity as a label, then it is kept though the words lean to an incident', () => {
    const text = 'Critical: checkout crashes for every user';
    expect(classify(text).chain).toBe('incident');
    expect(readFacts(text, 'bug').severity).toBe('critical');
  });

  it.each([
    ['[High] login fails on Android', 'high'],
    ['(low) typo in the footer', 'low'],
    ['Medium - the export misses the last row', 'medium'],
  ])('when a bug reads "%s", then its stated severity is %s', (text, severity) => {
    expect(readFacts(text, 'bug').severity).toBe(severity);
  });

  it('when "high" only describes a thing, then it states no severity', () => {
    expect(readFacts('high CPU on the report workers makes exports slow', 'bug').severity).not.toBe('high');
  });

  it('when the chain is the one classify picked, then the facts are the same as its own', () => {
    const text = 'Migrate the users table to split first and last name; web, backend and mobile read it';
    const c = classify(text);
    expect(readFacts(text, 'cross_project')).toEqual({
      flags: c.flags,
      severity: c.severity,
      releaseType: c.releaseType,
      changeType: c.changeType,
      projects: c.projects,
    });
  });
});

describe('classify on dev.jsonl', () => {
  const evaluation = evaluate(parseLabelledJsonl(readFileSync(devPath, 'utf8')));

  it('when scored on the dev set, then at least 95% of chains are right', () => {
    expect(evaluation.correct / evaluation.total).toBeGreaterThanOrEqual(0.95);
  });

  it('when scored on the dev set, then at least 85% of labelled flags and severities are right', () => {
    const right = evaluation.flags.right + evaluation.severity.right;
    const labelled = evaluation.flags.labelled + evaluation.severity.labelled;
    expect(right / labelled).toBeGreaterThanOrEqual(0.85);
  });

  it('when scored on the dev set, then at most 2% start the wrong chain and at most 10% ask', () => {
    expect(evaluation.startedWrong / evaluation.total).toBeLessThanOrEqual(0.02);
    expect(evaluation.asked / evaluation.total).toBeLessThanOrEqual(0.1);
  });
});
