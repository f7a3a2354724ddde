/**
 * Severity from the words of a request: Critical/High/Medium/Low for a bug (SOP Bug Fix,
 * "Severity escalation"), SEV1/SEV2/SEV3 for an incident (SOP Incident Response,
 * "Incident severity": down for all / degraded / minor with a workaround).
 */
import type { Severity } from './types.ts';

const W = '(?:[a-z0-9.%]+ )';
const B = (source: string) => new RegExp(`\\b(?:${source})\\b`);

const BUG_STATED =
  /\b(?:(critical|high|medium|low)(?: priority| severity| sev| prio)|(?:priority|severity|prio)(?: is)? (critical|high|medium|low)|(p[0-3]))\b/;

const BUG_CRITICAL = B(
  `critical|urgent|blocker|data loss|los(?:e|es|ing|t) (?:data|money|funds)|(?:other|another) (?:users?|tenants?|peoples?|customers?)|someone elses|xss|idor|sql injection|csrf|security hole|charged (?:twice|a second time|double|but)|double.?charg\\w*|second time|overcharg\\w*|nobody can|no one can|accepts? (?:the )?wrong|bypass\\w*|without (?:a |the )?(?:password|auth|login|2fa)|everyone|all users|cant (?:finish|complete)|crash(?:es|ing)? on (?:launch|start|startup|open)|data leak|leak(?:ed|ing|s)? (?:${W}{0,3})(?:data|emails?|pii|records|keys|credentials|customer|user|phone|numbers?)|exposed|never expire|(?:a |the )?(?:different|another|wrong) (?:card|account|user|customer)s?|still (?:get |gets |being |got )?(?:billed|charged)|deleted (?:${W}{0,2})(?:different|wrong)|nobody`,
);
const BUG_HIGH = B(
  `crash|crashes|crashed|crashing|freezes|freezing|frozen|hangs|logged out|logs? (?:me|them|users|people|us) out|log (?:me|them|users) out|does nothing|doesnt do anything|doesnt work|not working|dont work|cant (?:log ?in|login|sign in|pay|add|upload|connect)|login|log ?in|sign in|password|passwords|passkey|refunds?|charged|blank|loops?|spins forever|security|fails with|people cant|users cant|fees?|interest|billed|iban|rejects? valid|missing (?:${W}{0,3})(?:transactions|data|payments|days?)|withdrawals?|deposits?|balances?|money|pending forever|amounts?`,
);
/** A core flow blocked for the reporter: High even without a crash word. */
const BUG_BLOCKED = B(
  `cant (?:open|finish|complete|place|sell|buy|trade|withdraw|deposit|verify|upload|reach|get (?:in|past))|stuck (?:on|at|in)|forever|nothing happens|white (?:page|screen)|disappeared|greyed out|closes (?:itself|as soon)|kick(?:s|ed)? (?:me |us |them )?(?:out|back)|never (?:arrived|came)|still not (?:in|there|arrived)|goes back to (?:the )?(?:start|login|phone)|(?:the )?paywall again`,
);
/**
 * Looks, wording and layout: Low even on a money or login screen ("typo on the fees page"),
 * unless the reporter also says it crashes, blocks or loses something.
 */
const BUG_COSMETIC = B(
  `typos?|misspell\\w*|spelling|cosmetic|misaligned|alignment|unreadable|blurry|pixelated|squashed|stretched|contrast|fonts?|colou?rs?|overlap\\w*|cut off|padding|spacing|hyphenation|plural|grey on grey|white on white|rounded corners|barely visible|invisible|icons?|animation|placeholder|capitali[sz]\\w*|wraps?|wording|tooltips?|hover`,
);
const BUG_SERIOUS = B(
  `crash\\w*|freez\\w*|frozen|hangs|logged out|logs? (?:me|them|users|people|us) out|cant (?:log ?in|login|sign in|pay)|charged|billed|lost|los(?:e|es|ing)|data|does nothing|doesnt do anything|nothing happens|blank|other users?|someone elses`,
);
const BUG_LOW = B(
  `typos?|misspell\\w*|spelling|cosmetic|small thing|minor|nit|nitpick|alignment|misaligned|stretched|overflows?|layout|pixels?|logo|unreadable|tooltip|footer|wording|copy|timezone|utc|tiny|color|colour|font|small|welcome emails?|page title|title|encod\\w*|umlauts|accents|back (?:arrow|button)|permission|every launch|cut off|rotated|flicker\\w*|overlap\\w*|locale|translations?|copyright|out of date|outdated|docs|documentation|hover|symbol|text`,
);

const PARTIAL = /\bpartial(?:ly)?\b/;
const INCIDENT_STATED = /\bsev ?-?([123])\b|\bp([123])\b/;
const INCIDENT_THIRD_PARTY = B(
  `provider|third.party|vendor|firebase|twilio|sendgrid|fcm|apns|partner|partners|memory leak|restarting|delay|delayed`,
);
const INCIDENT_TOTAL = B(
  `everyone|everybody|all users|all requests|every request|every transaction|100%|across the board|nobody|no one|completely|whole|entire|at all`,
);
const INCIDENT_MINOR = B(
  `minor|small incident|slight|slightly|workaround|cosmetic|low impact|no (?:customer |user )?impact|internal (?:users )?only|internal users|blip|self recover\\w*|recovered|not customers|no customers? affected`,
);
const INCIDENT_PARTIAL = B(
  `partial|partially|some users|some customers|a few users|degraded|degradation|slow|slower|latency|p9[59]|delayed|lag|backlog|elevated|spike|error rate|cpu|memory|disk|replication|queue|burn rate`,
);
const INCIDENT_DOWN = B(
  `down|hard down|all (?:health )?checks failing|healthy host count 0|from all (?:locations|regions)|everything|not reachable|outage|unreachable|unavailable|inaccessible|everyone|everybody|all users|all requests|every request|every page|nobody|no one|noone|100%|completely|whole|entire|across the board|breach|leak|leaked|hacked|compromised|exposed|ddos\\w*|expired|dns|cant reach|suspicious logins|production outage|multiple services|at all|anyone|dropped to (?:zero|0)|credential stuffing|thousands of|lost (?:its |the |our )?primary|failover|nothing (?:loads|works)|lots of users|many users|(?:password|secret|keys?|credentials) (?:${W}{0,4})public`,
);

/**
 * A bug severity written as the request's label: "Critical: checkout crashes", "[High] …",
 * "(low) …", "Medium - …". Read from the readable text, as the tokens lose the colon that
 * makes a label ("high CPU on the workers" states nothing).
 */
const BUG_LABEL =
  /^[^a-z0-9]*(?:\[\s*(critical|high|medium|low)\s*\]|\(\s*(critical|high|medium|low)\s*\)|(critical|high|medium|low)\s*(?::|\||\s[-\u2013\u2014]\s))/i;

export function bugSeverityLabel(readable: string): Severity | null {
  const label = BUG_LABEL.exec(readable);
  const word = (label?.[1] ?? label?.[2] ?? label?.[3])?.toLowerCase();
  return word === 'critical' || word === 'high' || word === 'medium' || word === 'low' ? word : null;
}

/** A severity the requester stated ("P1", "high priority", "severity: low"), if any. */
function statedBugSeverity(tokens: string): Severity | null {
  const stated = BUG_STATED.exec(tokens);
  if (!stated) return null;
  const word = stated[1] ?? stated[2];
  if (word === 'critical' || word === 'high' || word === 'medium' || word === 'low') return word;
  const p = stated[3];
  if (p === 'p0') return 'critical';
  if (p === 'p1') return 'high';
  if (p === 'p2') return 'medium';
  if (p === 'p3') return 'low';
  return null;
}

function statedIncidentSeverity(tokens: string): Severity | null {
  const stated = INCIDENT_STATED.exec(tokens);
  const level = stated?.[1] ?? stated?.[2];
  return level ? (`sev${level}` as Severity) : null;
}

/**
 * What a bug or incident report says of its severity: the severity stated, the groups of
 * impact words it contains (`cue:…`, read by the learned model) and the rules' own reading.
 */
export interface SeverityReading {
  stated: Severity | null;
  cues: string[];
  rule: Severity;
}

/** `readable`: the request's readable text, for a severity written as its label. */
export function readBugSeverity(tokens: string, readable = ''): SeverityReading {
  const stated = statedBugSeverity(tokens) ?? bugSeverityLabel(readable);
  const critical = BUG_CRITICAL.test(tokens);
  const cosmetic = BUG_COSMETIC.test(tokens);
  const serious = BUG_SERIOUS.test(tokens);
  const high = BUG_HIGH.test(tokens);
  const blocked = BUG_BLOCKED.test(tokens);
  const low = BUG_LOW.test(tokens);
  const cues: string[] = [];
  if (critical) cues.push('cue:critical');
  if (cosmetic) cues.push('cue:cosmetic');
  if (serious) cues.push('cue:serious');
  if (high) cues.push('cue:high');
  if (blocked) cues.push('cue:blocked');
  if (low) cues.push('cue:low');
  let rule: Severity = 'medium';
  if (stated) rule = stated;
  else if (critical) rule = 'critical';
  else if (cosmetic && !serious) rule = 'low';
  else if (high || blocked) rule = 'high';
  else if (low) rule = 'low';
  return { stated, cues, rule };
}

export function readIncidentSeverity(tokens: string): SeverityReading {
  const stated = statedIncidentSeverity(tokens);
  const minor = INCIDENT_MINOR.test(tokens);
  const partial = PARTIAL.test(tokens);
  const thirdParty = INCIDENT_THIRD_PARTY.test(tokens);
  const total = INCIDENT_TOTAL.test(tokens);
  const down = INCIDENT_DOWN.test(tokens);
  const degraded = INCIDENT_PARTIAL.test(tokens);
  const cues: string[] = [];
  if (minor) cues.push('cue:minor');
  if (partial) cues.push('cue:partial');
  if (thirdParty) cues.push('cue:thirdparty');
  if (total) cues.push('cue:total');
  if (down) cues.push('cue:down');
  if (degraded) cues.push('cue:degraded');
  let rule: Severity = 'sev2';
  if (stated) rule = stated;
  else if (minor) rule = 'sev3';
  else if (partial) rule = 'sev2';
  // A supplier's outage or a leaking worker degrades us; it is SEV1 only when all is down.
  else if (thirdParty && !total) rule = 'sev2';
  else if (down) rule = 'sev1';
  return { stated, cues, rule };
}
