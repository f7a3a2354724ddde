/**
 * Turns a request into per-chain evidence: runs the lexicon over the token string, drops
 * matches that are negated ("not a bug", "no breaking changes"), adds emoji and structural
 * signals (alert headers, `<!here>`, stack traces in code blocks), and converts the
 * per-chain scores into calibrated probabilities with a softmax.
 */
import { frameScore, readFrame } from './frames.ts';
import { CHAIN_RULES, EMOJI_SIGNALS, type Rule } from './lexicon.ts';
import { codeBlocks, emojiNames, HERE_MENTION } from './normalize.ts';
import { RuleIndex } from './prefilter.ts';
import { CHAIN_IDS, type ChainId, type Signal } from './types.ts';

const NEGATION_BEFORE =
  /(?:^|\s)(?:not|no|never|without|isnt|arent|wasnt|werent|dont|doesnt|didnt|nothing|non|neither|nor|cant|cannot)\s+(?:\S+\s+){0,1}$/;
const NEGATION_INSIDE = /\b(?:not|no|never|isnt|arent|dont|doesnt|cant|wont|nobody|nothing)\b/;

/** Alert headers as monitoring tools write them: "[FIRING:1] …", "ALERT: …", "[Triggered] …". */
const ALERT_HEADER =
  /^\s*(?:\[(?:firing|alert|alerting|triggered|critical|warning|warn|pagerduty|incident|p[1-3]|sev\s?[1-3])(?::?\s*\d+)?\]|(?:alert|alarm|critical|warning|incident|triggered|firing)\s*(?:[:!-]|\[(?:p[1-3]|sev\s?[1-3]|critical|high)\]))/i;
const ALERT_ANYWHERE = /\[(?:firing|triggered|alerting)(?::\s*\d+)?\]/i;
const STACK_TRACE =
  /(?:exception|error|traceback)\b|\bstack ?trace|\bat [\w$.<>]+ ?\(|\.(?:java|tsx?|jsx?|py|kt|swift|rb|go|cs):\d+/i;

export interface Evidence {
  scores: Record<ChainId, number>;
  signals: Signal[];
}

export function emptyScores(): Record<ChainId, number> {
  return { feature: 0, bug: 0, release: 0, incident: 0, cross_project: 0, compliance: 0 };
}

function isNegated(tokens: string, index: number, matched: string): boolean {
  if (index === 0 || NEGATION_INSIDE.test(matched)) return false;
  return NEGATION_BEFORE.test(tokens.slice(Math.max(0, index - 32), index));
}

const CHAIN_INDEX = new RuleIndex(CHAIN_RULES, (rule: Rule<ChainId>) => rule.re.source);

/**
 * Words that open a time clause: what follows names when, not what is asked ("since
 * yesterday's release the toggle resets", "has to happen before the go/no-go").
 */
const TIME_CLAUSE = new Set(['since', 'after', 'before', 'until', 'till', 'following', 'during', 'once']);
/** A time clause reaches this many words. */
const TIME_CLAUSE_SPAN = 3;
/** A purpose clause ("so <someone> can …") reaches this many words. */
const PURPOSE_CLAUSE_SPAN = 6;
const PURPOSE_MODALS = new Set(['can', 'could', 'will', 'would', 'know', 'see', 'get']);
/**
 * Nouns that turn a signal word into a name of something else: the compliance team, the
 * incident history page, the security folks, the feature flag.
 */
const ATTRIBUTIVE_HEADS = new Set([
  'team',
  'teams',
  'folks',
  'people',
  'guys',
  'channel',
  'history',
  'lead',
  'leads',
  'owner',
  'owners',
  'squad',
  'department',
  'manager',
  'flag',
  'flags',
]);
/**
 * Requests say what they want first ("Planning the Q3 major release: … plus the breaking
 * change"): a match that starts in the opening words counts a little more.
 */
const OPENING_CHARS = 24;
export const OPENING_BOOST = 1.3;
/** What a signal in a time clause or used as a name still counts for. */
export const CONTEXT_DISCOUNT = 0.35;

/**
 * How much a match counts where it stands: fully in the request's main clause, a fraction
 * inside a time clause or when it only names a team, page or flag.
 */
export function contextFactor(tokens: string, index: number, matched: string): number {
  if (index > 0) {
    const before = tokens.slice(Math.max(0, index - 40), index).split(' ');
    // The last entry is '' (the space before the match).
    for (let k = before.length - 2, n = 0; k >= 0 && n < PURPOSE_CLAUSE_SPAN; k--, n++) {
      if (n < TIME_CLAUSE_SPAN && TIME_CLAUSE.has(before[k]!)) return CONTEXT_DISCOUNT;
      // "… so customers can see past outages", "so that we know": a purpose, not the request.
      if (before[k] === 'so' && (before[k + 1] === 'that' || PURPOSE_MODALS.has(before[k + 2] ?? '')))
        return CONTEXT_DISCOUNT;
    }
  }
  const end = index + matched.length;
  if (tokens.charCodeAt(end) === 32) {
    const next = tokens.indexOf(' ', end + 1);
    const word = tokens.slice(end + 1, next < 0 ? tokens.length : next);
    if (ATTRIBUTIVE_HEADS.has(word)) return CONTEXT_DISCOUNT;
  }
  return index < OPENING_CHARS ? OPENING_BOOST : 1;
}

/**
 * A request that opens as a wish or a question about what the product could do ("can we …",
 * "what if users could …", "thoughts on …", "let people …", "allow …") asks for a capability:
 * what follows describes the wanted behaviour ("… instead of a PDF", "… not just fund names",
 * "ppl can't find it"), so the weaker symptom words in it count for little. Questions about
 * something that happened ("any idea why …", "is anyone else seeing …") are not wishes.
 */
const WISH_OPENING = new RegExp(
  `^(?:(?:hey|hi|hello|ok|so|also|and|btw|question|q) )*(?:${[
    '(?:can|could|would|will|should) (?:we|you|u|you guys|the team|someone|they|users|people|customers|i) (?!not |just not )',
    '(?:would|wd|wld) (?:it|that) be',
    'it(?: would|d|ll) be',
    'what if|how about|what about|thoughts on|what do (?:you|u|we|people|yall|you all|you guys) think (?:about|of)|(?:can|could) (?:the|our) (?!\\w+ (?:not|stop|still|no longer)\\b)|any thoughts on|any chance|is there (?:a|any) (?:way|plan|chance|option)|is it possible|how hard would it be|would it make sense|does it make sense',
    '(?:i|we) (?:d|would|want|wanna|really want|need) (?:to be able|love|like|the option|a way|an option)',
    '(?:pls|plz|please|kindly) (?:add|make|let|allow|support|give|offer|build|implement|show|enable|provide|create|introduce|can)',
    '(?:let|allow|enable|give|offer|support|provide|introduce|add|build|implement|create|make it possible|we should|we ought|we need a way|we could)',
    '(?:feature|product) (?:request|ask|idea)|idea|suggestion|proposal|wish|want|wishlist|nice to have',
    '(?:new|request)(?! (?:users?|customers?|signups?|accounts?|version|release|build|deploy|errors?|fails?|failing|failed|timed?|returns?|is|are|was))',
  ].join('|')})\\b`,
);
/** Below this weight a bug rule is a symptom word that a wish can contain. */
const WISH_SOFT_BUG = 3;
/** What a wish opening adds to New Feature. */
export const WISH_WEIGHT = 2.5;

export function opensAsWish(tokens: string): boolean {
  return WISH_OPENING.test(tokens);
}

/**
 * A request whose frame (`frames.ts`) states a wanted behaviour with nothing contrary
 * observed: at least this much more wish than defect, and at most this much defect.
 */
export const WISH_FRAME_MIN = 1;
const WISH_FRAME_MAX_DEFECT = 0.5;
/** What a wanted-behaviour frame adds to New Feature. */
export const WISH_FRAME_WEIGHT = 2;
/** What an expectation next to an observed contrary fact ("should be 40 but shows 38") adds to Bug Fix. */
export const EXPECTATION_WEIGHT = 2.5;

/** The frame's verdict: a wanted behaviour, an expectation the product misses, or neither. */
export function frameKind(tokens: string): 'wish' | 'expectation' | null {
  const frame = readFrame(tokens);
  const score = frameScore(frame);
  if (score >= WISH_FRAME_MIN && frame.defect <= WISH_FRAME_MAX_DEFECT) return 'wish';
  if (frame.modal && frame.defect >= 2 && score <= -1) return 'expectation';
  return null;
}

function applyRules(tokens: string, evidence: Evidence): void {
  const opening = opensAsWish(tokens);
  if (opening) {
    evidence.scores.feature += WISH_WEIGHT;
    evidence.signals.push({ chain: 'feature', phrase: 'opens as a wish', weight: WISH_WEIGHT });
  }
  // Symptom words a wanted-behaviour frame would discount (read only when it could matter).
  const soft: Signal[] = [];
  for (const { rule, index, text } of CHAIN_INDEX.matches(tokens)) {
    if (isNegated(tokens, index, text)) continue;
    let weight = rule.weight > 0 ? rule.weight * contextFactor(tokens, index, text) : rule.weight;
    const isSoft = rule.key === 'bug' && rule.weight > 0 && rule.weight < WISH_SOFT_BUG;
    if (opening && isSoft) weight *= CONTEXT_DISCOUNT;
    evidence.scores[rule.key] += weight;
    const signal: Signal = { chain: rule.key, phrase: text, weight };
    evidence.signals.push(signal);
    if (isSoft && !opening) soft.push(signal);
  }
  const { scores } = evidence;
  // A wish opening tells a wanted change from a defect, not a feature from a change other
  // projects consume ("add a mandatory tenant_id to every event"): both get it.
  if (opening && scores.cross_project > 0) {
    scores.cross_project += WISH_WEIGHT;
    evidence.signals.push({
      chain: 'cross_project',
      phrase: 'opens as a wanted change',
      weight: WISH_WEIGHT,
    });
  }
  // The frame tells a feature from a bug; a request another chain's words lead is left alone.
  const others = Math.max(scores.release, scores.incident, scores.cross_project, scores.compliance);
  if (others >= Math.max(scores.feature, scores.bug, 0.5)) return;
  const kind = frameKind(tokens);
  if (kind === 'wish') {
    for (const signal of soft) {
      const discounted = signal.weight * CONTEXT_DISCOUNT;
      scores.bug -= signal.weight - discounted;
      signal.weight = discounted;
    }
    scores.feature += WISH_FRAME_WEIGHT;
    evidence.signals.push({
      chain: 'feature',
      phrase: 'states a wanted behaviour',
      weight: WISH_FRAME_WEIGHT,
    });
  } else if (kind === 'expectation') {
    scores.bug += EXPECTATION_WEIGHT;
    evidence.signals.push({ chain: 'bug', phrase: 'expected vs actual', weight: EXPECTATION_WEIGHT });
  }
}

// A module-level function, not a closure per call (tsx names every closure it makes).
function addSignal(evidence: Evidence, chain: ChainId, weight: number, phrase: string): void {
  evidence.scores[chain] += weight;
  evidence.signals.push({ chain, phrase, weight });
}

/** Evidence from the raw Slack text (markup the normalizer removes) and the token string. */
export function gatherEvidence(raw: string, tokens: string): Evidence {
  const evidence: Evidence = { scores: emptyScores(), signals: [] };
  applyRules(tokens, evidence);

  if (ALERT_HEADER.test(raw) || ALERT_ANYWHERE.test(raw)) addSignal(evidence, 'incident', 4, 'alert header');
  if (HERE_MENTION.test(raw)) addSignal(evidence, 'incident', 1, '@here');
  const seen = new Set<string>();
  for (const name of emojiNames(raw)) {
    const signal = EMOJI_SIGNALS.get(name);
    if (!signal || seen.has(name)) continue;
    seen.add(name);
    addSignal(evidence, signal[0], signal[1], `:${name}:`);
  }
  for (const block of codeBlocks(raw)) {
    if (ALERT_HEADER.test(block.trim()) || ALERT_ANYWHERE.test(block))
      addSignal(evidence, 'incident', 4, 'alert in code block');
    else if (STACK_TRACE.test(block)) addSignal(evidence, 'bug', 2, 'stack trace');
  }
  for (const chain of CHAIN_IDS) if (evidence.scores[chain] < 0) evidence.scores[chain] = 0;
  return evidence;
}

/** How sharply evidence turns into confidence: a lead of TEMPERATURE points is a factor e. */
export const TEMPERATURE = 1.3;

/**
 * Chains with their softmax probabilities, best first (ties in the fixed chain order). With
 * `modelLogProbs` (CHAIN_IDS order) the token model's log-probabilities, times `modelWeight`,
 * are added to the lexicon's logits: a product of the two opinions.
 */
export function rankChains(
  scores: Record<ChainId, number>,
  modelLogProbs?: Float64Array,
  modelWeight = 0,
): { chain: ChainId; p: number; score: number }[] {
  let max = 0;
  for (const chain of CHAIN_IDS) max = Math.max(max, scores[chain]);
  // Plain loops over the six chains (maps and a sort by indexOf were a visible share of a request).
  const exp = new Float64Array(CHAIN_IDS.length);
  let top = -Infinity;
  for (let c = 0; c < exp.length; c++) {
    exp[c] =
      (scores[CHAIN_IDS[c]!] - max) / TEMPERATURE + (modelLogProbs ? modelWeight * modelLogProbs[c]! : 0);
    top = Math.max(top, exp[c]!);
  }
  let sum = 0;
  for (let c = 0; c < exp.length; c++) {
    exp[c] = Math.exp(exp[c]! - top);
    sum += exp[c]!;
  }
  const ranked: { chain: ChainId; p: number; score: number }[] = [];
  for (let c = 0; c < exp.length; c++) {
    const chain = CHAIN_IDS[c]!;
    ranked.push({ chain, p: exp[c]! / sum, score: scores[chain] });
  }
  return ranked.sort((a, b) => b.p - a.p || CHAIN_ORDER[a.chain] - CHAIN_ORDER[b.chain]);
}

/** Each chain's place in CHAIN_IDS: the order of ties. */
const CHAIN_ORDER = Object.fromEntries(CHAIN_IDS.map((chain, c) => [chain, c])) as Record<ChainId, number>;
