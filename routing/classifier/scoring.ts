/**
 * Turns a request into per-chain evidence: runs the lexicon over the token string, drops
 * matches that are negated ("not a bug", "no breaking changes"), adds emoji and structural
 * signals (alert headers, `<!here>`, stack traces in code blocks), and converts the
 * per-chain scores into calibrated probabilities with a softmax.
 */
import { CHAIN_RULES, EMOJI_SIGNALS, type Rule } from './lexicon.ts';
import { codeBlocks, emojiNames, HERE_MENTION } from './normalize.ts';
import { RuleIndex } from './prefilter.ts';
import { CHAIN_IDS, type ChainId, type Signal } from './types.ts';

const NEGATION_BEFORE =
  /(?:^|\s)(?:not|no|never|without|isnt|arent|wasnt|werent|dont|doesnt|didnt|nothing|non|neither|nor)\s+(?:\S+\s+){0,1}$/;
const NEGATION_INSIDE = /\b(?:not|no|never|isnt|arent|dont|doesnt|cant|wont|nobody|nothing)\b/;

/** Alert headers as monitoring tools write them: "[FIRING:1] …", "ALERT: …", "[Triggered] …". */
const ALERT_HEADER =
  /^\s*(?:\[(?:firing|alert|alerting|triggered|critical|warning|warn|pagerduty|incident)(?::?\s*\d+)?\]|(?:alert|alarm|critical|warning|incident|triggered|firing)\s*[:!-])/i;
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

function applyRules(tokens: string, evidence: Evidence): void {
  for (const { rule, index, text } of CHAIN_INDEX.matches(tokens)) {
    if (isNegated(tokens, index, text)) continue;
    evidence.scores[rule.key] += rule.weight;
    evidence.signals.push({ chain: rule.key, phrase: text, weight: rule.weight });
  }
}

/** Evidence from the raw Slack text (markup the normalizer removes) and the token string. */
export function gatherEvidence(raw: string, tokens: string): Evidence {
  const evidence: Evidence = { scores: emptyScores(), signals: [] };
  applyRules(tokens, evidence);

  const add = (chain: ChainId, weight: number, phrase: string) => {
    evidence.scores[chain] += weight;
    evidence.signals.push({ chain, phrase, weight });
  };
  if (ALERT_HEADER.test(raw) || ALERT_ANYWHERE.test(raw)) add('incident', 4, 'alert header');
  if (HERE_MENTION.test(raw)) add('incident', 1, '@here');
  const seen = new Set<string>();
  for (const name of emojiNames(raw)) {
    const signal = EMOJI_SIGNALS.get(name);
    if (!signal || seen.has(name)) continue;
    seen.add(name);
    add(signal[0], signal[1], `:${name}:`);
  }
  for (const block of codeBlocks(raw)) {
    if (ALERT_HEADER.test(block.trim()) || ALERT_ANYWHERE.test(block))
      add('incident', 4, 'alert in code block');
    else if (STACK_TRACE.test(block)) add('bug', 2, 'stack trace');
  }
  for (const chain of CHAIN_IDS) if (evidence.scores[chain] < 0) evidence.scores[chain] = 0;
  return evidence;
}

/** How sharply evidence turns into confidence: a lead of TEMPERATURE points is a factor e. */
export const TEMPERATURE = 1.3;

/** Chains with their softmax probabilities, best first (ties in the fixed chain order). */
export function rankChains(scores: Record<ChainId, number>): { chain: ChainId; p: number; score: number }[] {
  let max = 0;
  for (const chain of CHAIN_IDS) max = Math.max(max, scores[chain]);
  let sum = 0;
  const exp = emptyScores();
  for (const chain of CHAIN_IDS) {
    exp[chain] = Math.exp((scores[chain] - max) / TEMPERATURE);
    sum += exp[chain];
  }
  return CHAIN_IDS.map((chain) => ({ chain, p: exp[chain] / sum, score: scores[chain] })).sort(
    (a, b) => b.p - a.p || CHAIN_IDS.indexOf(a.chain) - CHAIN_IDS.indexOf(b.chain),
  );
}
