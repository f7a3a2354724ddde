/**
 * Light typo tolerance: an unknown token of five letters or more that is one edit
 * (insertion, deletion, substitution or swap of neighbours) away from a signal word, with
 * the same first letter, is read as that word. Built once as a symmetric-delete map, so a
 * lookup costs a handful of Map reads.
 */

/** Words the lexicon keys on, in the forms people write them. Typos are mapped onto these. */
const SIGNAL_WORDS = `
release releases released releasing prepare ship shipping shipped deploy deployment deployed
production staging freeze launch version hotfix changelog milestone sprint publish rollout
broken crash crashes crashing crashed error errors failing failed fails freezes doesnt isnt
wrong incorrect regression reported report reports reporting customer customers typo bug bugs
outage outages incident down unavailable unreachable degraded latency timeout timeouts alert
alerts alerting monitoring pagerduty datadog grafana sentry opsgenie everyone nobody breach
leaked hacked compromised expired certificate
feature features capability request requests implement build building create support ability
referral invite signup onboarding conversion landing funnel pricing checkout analytics tracking
dashboard notifications
change changes changing contract endpoint endpoints schema migration migrate tokens design shared
upgrade dependency dependencies consumers deprecate breaking across everywhere payload response
audit audits auditing compliance compliant quarterly review privacy regulation regulatory
retention consent assessment security permissions secrets vulnerability
`;

/**
 * Real words that must never be "corrected" although they are one edit from a signal word
 * (e.g. "branch" is one swap-and-delete from "breach").
 */
const KEEP_WORDS = `
branch branches beach reach teach chase lease please pleased relapse shape shops shipper
share shared shares shard bugger budget buggy later alter alters alerted altered order orders
brake brakes broke broker brokers token tokens taken takes cash crush crust cross
lunch launchd launcher launches launched versions versioned person persons fails failure
failures rails trails trial trials tracing trading traded trader trades trade grade grades
chance changed charge charged charges charging range ranges orange stage stages stagger
staging stack stacks spring sprints sprite error erred erase rubric audio audits auditor
report reporter reports reported import imports export exports expert support supports
sorted sorter resort review reviews reviewed reviewer revive viewed device devices advice
design designs designer desired desire resign assign signed shared sharded sharding
secret secrets second seconds sector crashes clashes flashes splashes leaked leaks leaking
leader leaders letter better butter debug debugs debugged bugfix bugfixes hotfixes
complaint complaints complain complains complained compile compiled
`;

const SIGNAL_SET = new Set(SIGNAL_WORDS.split(/\s+/).filter(Boolean));
const CORRECTIONS = new Map<string, string>();
const KNOWN = new Set<string>();

function deletes(word: string): string[] {
  const out: string[] = [];
  for (let i = 1; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

for (const word of SIGNAL_SET) KNOWN.add(word);
for (const word of KEEP_WORDS.split(/\s+/)) if (word) KNOWN.add(word);
for (const word of SIGNAL_SET) {
  if (word.length < 4) continue;
  // The first letter is kept: people rarely mistype it, and it halves false matches.
  for (const variant of deletes(word)) if (!CORRECTIONS.has(variant)) CORRECTIONS.set(variant, word);
}

const MEMO = new Map<string, string>();
const MEMO_LIMIT = 50_000;

/** The signal word a mistyped token stands for, or the token itself. */
export function correctTypo(token: string): string {
  if (token.length < 5 || token.length > 16 || KNOWN.has(token)) return token;
  const known = MEMO.get(token);
  if (known !== undefined) return known;
  const corrected = lookUp(token);
  if (MEMO.size >= MEMO_LIMIT) MEMO.clear();
  MEMO.set(token, corrected);
  return corrected;
}

function lookUp(token: string): string {
  const code = token.charCodeAt(0);
  if (code < 97 || code > 122) return token;
  // Deletion typo: the token is a signal word with a letter missing.
  const missing = CORRECTIONS.get(token);
  if (missing && missing.length === token.length + 1) return missing;
  for (const variant of deletes(token)) {
    if (SIGNAL_SET.has(variant)) return variant; // insertion typo: one letter too many ("shipp")
    const target = CORRECTIONS.get(variant);
    if (target && target.length === token.length) return target; // substitution or swap
  }
  return token;
}
