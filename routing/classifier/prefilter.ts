/**
 * A rule index for speed: each pattern's possible first characters (up to five) are worked
 * out from its source once, and a text only runs the patterns that can start at one of its
 * tokens. Patterns whose first two characters cannot be worked out (`\w`, `.`, a negated
 * class) always run.
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
      else if (/[a-z0-9]/i.test(e))
        return null; // \w, \s, \u2018, …: not worked out
      else out += e;
    } else if (body[j + 1] === '-' && j + 2 < body.length) {
      for (let code = c.charCodeAt(0); code <= body.charCodeAt(j + 2); code++)
        out += String.fromCharCode(code);
      j += 2;
    } else out += c;
  }
  return out.length <= 40 ? out : null;
}

/** How many characters of a pattern's start `patternStarts` works out unless told. */
const K = 2;
/**
 * The longest start the index keys on: the longer, the fewer patterns tried in vain (each
 * regex tried costs more than a step down the trie). Five characters with at most 3,000
 * starts a pattern: about half the tries of four characters, for some 100 ms at start-up.
 */
const MAX_START = 5;
/** Starts are worked out on fewer characters when there would be more than this many. */
const MAX_STARTS = 3000;

/** Thrown on syntax the parser does not know; the pattern then always runs. */
class Unknown extends Error {}

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
        // (?: … ) groups; a lookaround matches no characters, so it is left out (what it
        // rules out only makes the starts a wider net).
        let lookaround = false;
        if (source[i] === '?') {
          const flavour = source.slice(i + 1, i + 3);
          lookaround = flavour[0] === '=' || flavour[0] === '!' || flavour === '<=' || flavour === '<!';
          if (flavour[0] !== ':' && !lookaround) throw new Unknown();
          i += flavour[0] === '<' ? 3 : 2;
        }
        const inner = alternation();
        i++; // ')'
        item = lookaround ? null : { kind: 'group', alts: inner, min: 1, max: 1 };
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
        else if (/[a-z0-9]/i.test(next))
          throw new Unknown(); // \u2018, \n, \1, …
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

/**
 * How the matches of a sequence can begin: `whole` are entire matches (at most k
 * characters), `cut` are prefixes where the reading stopped (k characters, or fewer where an
 * item that can be any character comes next).
 */
interface Starts {
  whole: Set<string>;
  cut: Set<string>;
}

/**
 * The starts of the matches of `seq` from item `from`, reading at most `k` characters. An
 * item that can be any character ends the reading there when `cutAtAny`, else it makes the
 * starts unknown (null); so do more than `limit` strings.
 */
function starts(seq: Item[], from: number, k: number, cutAtAny: boolean, limit: number): Starts | null {
  const out: Starts = { whole: new Set(), cut: new Set() };
  if (from >= seq.length) {
    out.whole.add('');
    return out;
  }
  if (k === 0) {
    out.cut.add('');
    return out;
  }
  const item = seq[from]!;
  if (item.min === 0) {
    const skipped = starts(seq, from + 1, k, cutAtAny, limit);
    if (!skipped) return null;
    for (const s of skipped.whole) out.whole.add(s);
    for (const s of skipped.cut) out.cut.add(s);
  }
  if (item.max === 0) return out;
  if (item.kind === 'any') {
    if (!cutAtAny) return null;
    out.cut.add('');
    return out;
  }
  // One repetition of the item.
  const own: Starts = { whole: new Set(), cut: new Set() };
  if (item.kind === 'char') own.whole.add(item.c);
  else {
    for (const alt of item.alts) {
      const s = starts(alt, 0, k, cutAtAny, limit);
      if (!s) return null;
      for (const x of s.whole) own.whole.add(x);
      for (const x of s.cut) own.cut.add(x);
    }
  }
  for (const s of own.cut) out.cut.add(s);
  // After one repetition: the item's further repetitions (if any), then the rest.
  const after = seq.slice(from + 1);
  if (item.max > 1) {
    // A repetition that may be empty would not shorten what is left: give up on it.
    if (own.whole.has('')) return null;
    after.unshift({ ...item, min: Math.max(0, item.min - 1), max: item.max - 1 });
  }
  const restByLength = new Map<number, Starts | null>(); // what follows depends only on how much is left
  for (const s of own.whole) {
    let rest = restByLength.get(s.length);
    if (rest === undefined) {
      rest = starts(after, 0, k - s.length, cutAtAny, limit);
      restByLength.set(s.length, rest);
    }
    if (!rest) return null;
    for (const r of rest.whole) out.whole.add(s + r);
    for (const r of rest.cut) out.cut.add(s + r);
    if (out.whole.size + out.cut.size > limit) return null;
  }
  return out;
}

/** A pattern parsed, or null when it uses syntax the parser does not know (it then always runs). */
function parsed(source: string): Item[] | null {
  try {
    return [{ kind: 'group', alts: parse(source), min: 1, max: 1 }];
  } catch (error) {
    if (error instanceof Unknown) return null;
    throw error;
  }
}

/** A pattern's starts (every match begins with one of them), or null when some match could begin anyhow. */
function startsOf(pattern: Item[], k: number, cutAtAny: boolean, limit: number): string[] | null {
  const found = starts(pattern, 0, k, cutAtAny, limit);
  if (!found || found.whole.has('') || found.cut.has('')) return null;
  return [...new Set([...found.whole, ...found.cut])];
}

/**
 * The possible starts of a pattern's matches: every match begins with one of them, which is
 * `k` characters long or the whole match. Null when not worked out (or more than `limit`).
 */
export function patternStarts(source: string, k = K, limit = Number.POSITIVE_INFINITY): string[] | null {
  const pattern = parsed(source);
  return pattern && startsOf(pattern, k, false, limit);
}

/**
 * The starts the index keys a pattern on, or null: always run it. Which patterns always run
 * is decided on their first K characters (as it always was); the others are keyed on as many
 * characters as can be worked out (at most MAX_START; fewer where a pattern's alternative
 * goes on with any character, or when there would be more than MAX_STARTS keys), without
 * any key that a shorter one already covers.
 */
function indexStarts(source: string): string[] | null {
  const pattern = parsed(source);
  if (!pattern || !startsOf(pattern, K, false, Number.POSITIVE_INFINITY)) return null;
  for (let k = MAX_START; k >= K; k--) {
    const found = startsOf(pattern, k, true, k > K ? MAX_STARTS : Number.POSITIVE_INFINITY);
    if (!found) continue;
    const set = new Set(found);
    return found.filter((s) => {
      for (let n = 1; n < s.length; n++) if (set.has(s.slice(0, n))) return false;
      return true;
    });
  }
  return null;
}

export interface RuleMatch<R> {
  rule: R;
  /** Where the leftmost match starts in the token string. */
  index: number;
  text: string;
}

/** The children of the nodes this shallow are also kept by ASCII code: the first two steps are taken at every token. */
const DENSE_DEPTH = 2;
const ASCII = 128;

/**
 * Finds, for every rule, its leftmost match in a token string. A rule whose possible starts
 * are known is tried (as a sticky regex) only where a token begins with one of them; the
 * others scan the whole string. Same result as running each rule's regex, much less work.
 *
 * The starts form a trie, stored as typed arrays (some 11,000 nodes for the chain rules: an
 * object and a Map a node took megabytes): node 0 is the root; a node's children are in
 * increasing character order, linked from `firstChild` through `nextSibling`.
 */
export class RuleIndex<R> {
  private readonly always: number[] = [];
  private readonly code: Uint16Array;
  private readonly firstChild: Int32Array;
  private readonly nextSibling: Int32Array;
  /** The rules to try at node n: `ruleIds[ruleFrom[n]]` up to `ruleIds[ruleFrom[n + 1]]`, in rule order. */
  private readonly ruleFrom: Int32Array;
  private readonly ruleIds: Int32Array;
  /** For the nodes above DENSE_DEPTH: `dense[denseRow[n] * ASCII + c]` is the child by code c < 128 (-1: none). */
  private readonly denseRow: Int32Array;
  private readonly dense: Int32Array;
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
    // Every (start, rule), sorted by start then rule: the trie is then made in one pass, each
    // node's rules together and in rule order.
    const keys: string[] = [];
    const ids: number[] = [];
    rules.forEach((rule, id) => {
      const found = indexStarts(sourceOf(rule));
      if (!found) this.always.push(id);
      else
        for (const s of found) {
          keys.push(s);
          ids.push(id);
        }
    });
    const order = Array.from(keys, (_, i) => i).sort((a, b) =>
      keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : ids[a]! - ids[b]!,
    );
    const most = keys.reduce((n, s) => n + s.length, 1);
    const code = new Uint16Array(most);
    const firstChild = new Int32Array(most).fill(-1);
    const nextSibling = new Int32Array(most).fill(-1);
    const lastChild = new Int32Array(most).fill(-1);
    const ruleFrom = new Int32Array(most + 1);
    const depth = new Uint8Array(most);
    const path = [0]; // the nodes spelling the previous key
    let nodes = 1;
    let previous = '';
    this.ruleIds = new Int32Array(order.length);
    order.forEach((e, r) => {
      const key = keys[e]!;
      let shared = 0;
      while (shared < key.length && key.charCodeAt(shared) === previous.charCodeAt(shared)) shared++;
      for (let j = shared; j < key.length; j++) {
        const parent = path[j]!;
        const node = nodes++;
        code[node] = key.charCodeAt(j);
        depth[node] = j + 1;
        ruleFrom[node] = r;
        if (lastChild[parent]! < 0) firstChild[parent] = node;
        else nextSibling[lastChild[parent]!] = node;
        lastChild[parent] = node;
        path[j + 1] = node;
      }
      this.ruleIds[r] = ids[e]!;
      previous = key;
    });
    ruleFrom[nodes] = order.length;
    this.code = code.slice(0, nodes);
    this.firstChild = firstChild.slice(0, nodes);
    this.nextSibling = nextSibling.slice(0, nodes);
    this.ruleFrom = ruleFrom.slice(0, nodes + 1);
    this.denseRow = new Int32Array(nodes).fill(-1);
    let rows = 0;
    for (let n = 0; n < nodes; n++) if (depth[n]! < DENSE_DEPTH) this.denseRow[n] = rows++;
    this.dense = new Int32Array(rows * ASCII).fill(-1);
    for (let n = 0; n < nodes; n++) {
      const row = this.denseRow[n]!;
      if (row < 0) continue;
      for (let c = this.firstChild[n]!; c >= 0; c = this.nextSibling[c]!)
        if (this.code[c]! < ASCII) this.dense[row * ASCII + this.code[c]!] = c;
    }
  }

  /** The child of `node` by character code `c`, or -1. */
  private child(node: number, c: number): number {
    const row = this.denseRow[node]!;
    if (row >= 0 && c < ASCII) return this.dense[row * ASCII + c]!;
    for (let k = this.firstChild[node]!; k >= 0; k = this.nextSibling[k]!) {
      const kc = this.code[k]!;
      if (kc === c) return k;
      if (kc > c) return -1;
    }
    return -1;
  }

  /** Each matching rule with its leftmost match, in the rules' original order. */
  matches(tokens: string): RuleMatch<R>[] {
    const foundAt = this.foundAt;
    foundAt.fill(-1);
    const length = tokens.length;
    let prev = 32; // a space before the text
    for (let p = 0; p < length; p++) {
      const code = tokens.charCodeAt(p);
      // Matches start at a word boundary: a token's start, or a digit after a dot ("v2.4").
      const boundary = prev === 32 || (prev === 46 && code < 58);
      prev = code;
      if (!boundary) continue;
      // Down the trie along the text from p: each node's rules may match here.
      let node = 0;
      for (let q = p; q < length && q < p + MAX_START; q++) {
        node = this.child(node, tokens.charCodeAt(q));
        if (node < 0) break;
        this.tryAll(node, tokens, p);
      }
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

  /** Tries a node's rules at position `p`; positions come in increasing order, so the first match is the leftmost. */
  private tryAll(node: number, tokens: string, p: number): void {
    for (let i = this.ruleFrom[node]!, end = this.ruleFrom[node + 1]!; i < end; i++) {
      const id = this.ruleIds[i]!;
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
