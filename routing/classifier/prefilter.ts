/**
 * A rule index for speed: each pattern's possible first two characters are worked out from
 * its source once, and a text only runs the patterns that can start at one of its tokens.
 * Patterns whose start cannot be worked out (a character class, `\d`, `\w`) always run.
 * The result is exactly that of running every pattern (a test checks it on every corpus).
 */

type Item =
  | { kind: 'char'; c: string; min: number; max: number }
  | { kind: 'any'; min: number; max: number }
  | { kind: 'group'; alts: Item[][]; min: number; max: number };

const DIGITS = '0123456789';

/** A set of single characters as a group of alternatives, or null for "any character". */
function charSet(chars: string | null, min = 1, max = 1): Item {
  if (chars === null) return { kind: 'any', min, max };
  return { kind: 'group', alts: [...chars].map((c) => [{ kind: 'char', c, min: 1, max: 1 }]), min, max };
}

/** The characters a simple class (`[sz]`, `[1-4]`, `[\d.]`) stands for; null when negated or large. */
function classChars(body: string): string | null {
  if (body.startsWith('^')) return null;
  let out = '';
  for (let j = 0; j < body.length; j++) {
    const c = body[j]!;
    if (c === '\\') {
      const e = body[++j]!;
      if (e === 'd') out += DIGITS;
      else if ('wsWSD'.includes(e)) return null;
      else out += e;
    } else if (body[j + 1] === '-' && j + 2 < body.length) {
      for (let code = c.charCodeAt(0); code <= body.charCodeAt(j + 2); code++)
        out += String.fromCharCode(code);
      j += 2;
    } else out += c;
  }
  return out.length <= 40 ? out : null;
}

const K = 2;

function parse(source: string): Item[][] {
  let i = 0;
  function alternation(): Item[][] {
    const alts: Item[][] = [[]];
    while (i < source.length) {
      const ch = source[i]!;
      if (ch === ')') return alts;
      if (ch === '|') {
        alts.push([]);
        i++;
        continue;
      }
      let item: Item | null;
      if (ch === '(') {
        i++;
        if (source[i] === '?') i += 2; // (?: … ) — the only group flavour the lexicon uses
        const inner = alternation();
        i++; // ')'
        item = { kind: 'group', alts: inner, min: 1, max: 1 };
      } else if (ch === '[') {
        const open = i;
        while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
        i++;
        item = charSet(classChars(source.slice(open + 1, i - 1)));
      } else if (ch === '\\') {
        const next = source[i + 1]!;
        i += 2;
        if (next === 'b' || next === 'B') item = null;
        else if (next === 'd') item = charSet(DIGITS);
        else if ('wsDWS'.includes(next)) item = { kind: 'any', min: 1, max: 1 };
        else item = { kind: 'char', c: next, min: 1, max: 1 };
      } else if (ch === '.') {
        i++;
        item = { kind: 'any', min: 1, max: 1 };
      } else if (ch === '^' || ch === '$') {
        i++;
        item = null;
      } else {
        i++;
        item = { kind: 'char', c: ch, min: 1, max: 1 };
      }
      if (!item) continue;
      const q = source[i];
      if (q === '?' || q === '*' || q === '+') {
        item.min = q === '+' ? 1 : 0;
        item.max = q === '?' ? 1 : Number.POSITIVE_INFINITY;
        i++;
      } else if (q === '{') {
        const close = source.indexOf('}', i);
        const [lo, hi] = source.slice(i + 1, close).split(',');
        item.min = Number(lo);
        item.max = hi === undefined ? Number(lo) : hi === '' ? Number.POSITIVE_INFINITY : Number(hi);
        i = close + 1;
      }
      if (source[i] === '?') i++; // lazy quantifier
      alts[alts.length - 1]!.push(item);
    }
    return alts;
  }
  return alternation();
}

/** Every string of at most `k` characters a match of `seq` can begin with; null when unknown. */
function starts(seq: Item[], from: number, k: number): Set<string> | null {
  if (k === 0 || from >= seq.length) return new Set(['']);
  const item = seq[from]!;
  const out = new Set<string>();
  if (item.min === 0) {
    const skipped = starts(seq, from + 1, k);
    if (!skipped) return null;
    for (const s of skipped) out.add(s);
  }
  if (item.max === 0) return out;
  let own: Set<string> | null;
  if (item.kind === 'any') return null;
  if (item.kind === 'char') own = new Set([item.c]);
  else {
    own = new Set();
    for (const alt of item.alts) {
      const s = starts(alt, 0, k);
      if (!s) return null;
      for (const x of s) own.add(x);
    }
  }
  for (const s of own) {
    if (s.length >= k) {
      out.add(s.slice(0, k));
      continue;
    }
    const rest = starts(seq, from + 1, k - s.length);
    if (!rest) return null;
    for (const r of rest) out.add(s + r);
    if (item.max > 1) {
      // A repeated item may go on with itself.
      const again = starts([{ ...item, min: 1, max: 1 }], 0, k - s.length);
      if (!again) return null;
      for (const r of again) out.add(s + r);
    }
  }
  return out;
}

/** The possible two-character starts of a pattern's matches, or null: always run it. */
export function patternStarts(source: string): string[] | null {
  const result = starts([{ kind: 'group', alts: parse(source), min: 1, max: 1 }], 0, K);
  return result ? [...result] : null;
}

export interface RuleMatch<R> {
  rule: R;
  /** Where the leftmost match starts in the token string. */
  index: number;
  text: string;
}

/** Start tables are arrays indexed by character code for ASCII text (token strings are ASCII). */
const ASCII = 128;
const NO_RULES = new Int32Array(0);

/**
 * Finds, for every rule, its leftmost match in a token string. A rule whose possible starts
 * are known is tried (as a sticky regex) only where a token begins with one of them; the
 * others scan the whole string. Same result as running each rule's regex, much less work.
 */
export class RuleIndex<R> {
  private readonly always: number[] = [];
  /** Rules by a one-character start (its code) and by a two-character start (code · 128 + code). */
  private readonly byOne: Int32Array[] = new Array(ASCII).fill(NO_RULES);
  private readonly byTwo: Int32Array[] = new Array(ASCII * ASCII).fill(NO_RULES);
  /** Rules by a start with a character beyond ASCII. */
  private readonly byOther = new Map<string, Int32Array>();
  private readonly scan: RegExp[];
  private readonly sticky: RegExp[];
  /** Per call: where each rule's leftmost match starts (-1: none yet) and its text. */
  private readonly foundAt: Int32Array;
  private readonly foundText: string[];

  constructor(
    private readonly rules: readonly R[],
    sourceOf: (rule: R) => string,
  ) {
    this.foundAt = new Int32Array(rules.length);
    this.foundText = new Array<string>(rules.length).fill('');
    this.scan = rules.map((rule) => new RegExp(sourceOf(rule)));
    this.sticky = rules.map((rule) => new RegExp(sourceOf(rule), 'y'));
    const byStart = new Map<string, number[]>();
    rules.forEach((rule, id) => {
      const found = patternStarts(sourceOf(rule));
      if (!found || found.some((s) => s.length === 0)) {
        this.always.push(id);
        return;
      }
      for (const s of found) {
        const list = byStart.get(s);
        if (list) list.push(id);
        else byStart.set(s, [id]);
      }
    });
    for (const [s, ids] of byStart) {
      const list = Int32Array.from(ids);
      const c1 = s.charCodeAt(0);
      const c2 = s.length > 1 ? s.charCodeAt(1) : 0;
      if (c1 >= ASCII || c2 >= ASCII) this.byOther.set(s, list);
      else if (s.length === 1) this.byOne[c1] = list;
      else this.byTwo[c1 * ASCII + c2] = list;
    }
  }

  /** Each matching rule with its leftmost match, in the rules' original order. */
  matches(tokens: string): RuleMatch<R>[] {
    const foundAt = this.foundAt;
    foundAt.fill(-1);
    const length = tokens.length;
    let prev = 32; // a space before the text
    for (let p = 0; p < length; p++) {
      const c1 = tokens.charCodeAt(p);
      // Matches start at a word boundary: a token's start, or a digit after a dot ("v2.4").
      const boundary = prev === 32 || (prev === 46 && c1 < 58);
      prev = c1;
      if (!boundary) continue;
      const c2 = p + 1 < length ? tokens.charCodeAt(p + 1) : -1;
      this.tryAll(c1 < ASCII ? this.byOne[c1]! : (this.byOther.get(tokens[p]!) ?? NO_RULES), tokens, p);
      if (c2 < 0) continue; // the last character: its one-character starts were all
      const two =
        c1 < ASCII && c2 < ASCII
          ? this.byTwo[c1 * ASCII + c2]!
          : (this.byOther.get(tokens.slice(p, p + 2)) ?? NO_RULES);
      this.tryAll(two, tokens, p);
    }
    for (const id of this.always) {
      const m = this.scan[id]!.exec(tokens);
      if (m) {
        foundAt[id] = m.index;
        this.foundText[id] = m[0];
      }
    }
    const out: RuleMatch<R>[] = [];
    for (let id = 0; id < foundAt.length; id++) {
      const index = foundAt[id]!;
      if (index >= 0) out.push({ rule: this.rules[id]!, index, text: this.foundText[id]! });
    }
    return out;
  }

  /** Tries the rules of one start table entry at position `p` (positions come in increasing order). */
  private tryAll(ids: Int32Array, tokens: string, p: number): void {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (this.foundAt[id]! >= 0) continue;
      const re = this.sticky[id]!;
      re.lastIndex = p;
      const m = re.exec(tokens);
      if (m) {
        this.foundAt[id] = p;
        this.foundText[id] = m[0];
      }
    }
  }
}
