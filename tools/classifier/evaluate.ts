/**
 * Scores the classifier against labelled requests: chain accuracy, the confusion matrix,
 * how often it would ask, how often it would start a wrong chain without asking, and how
 * many labelled flags, severities, release and change types it gets right.
 */
import { classify } from '../../routing/classifier/classify.ts';
import {
  CHAIN_IDS,
  type ChainId,
  type Classification,
  type Flag,
  isChainId,
} from '../../routing/classifier/types.ts';

export interface LabelledRequest {
  text: string;
  chain: ChainId;
  severity?: string;
  flags?: Flag[];
  releaseType?: string;
  changeType?: string;
}

export interface Miss {
  line: number;
  text: string;
  expected: ChainId;
  got: ChainId | null;
  confidence: number;
  ask: boolean;
}

export interface Evaluation {
  total: number;
  correct: number;
  asked: number;
  startedWrong: number;
  /** Asked, and the right chain was among the offered choices. */
  askedWithRightChoice: number;
  confusion: Record<ChainId, Record<ChainId | 'none', number>>;
  flags: { labelled: number; right: number; extra: number };
  severity: { labelled: number; right: number };
  releaseType: { labelled: number; right: number };
  changeType: { labelled: number; right: number };
  misses: Miss[];
  flagMisses: { line: number; text: string; expected: Flag[]; got: Flag[] }[];
  severityMisses: { line: number; text: string; expected: string; got: string | null }[];
}

/** Parses labelled JSONL (`text`, `chain`, optional `severity`, `flags`, …); throws naming the line. */
export function parseLabelledJsonl(text: string): { line: number; request: LabelledRequest }[] {
  const out: { line: number; request: LabelledRequest }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error(`line ${i + 1}: not valid JSON`);
    }
    const record = value as Partial<LabelledRequest> | null;
    if (!record || typeof record.text !== 'string' || !isChainId(record.chain)) {
      throw new Error(`line ${i + 1}: needs a string "text" and a chain id "chain"`);
    }
    out.push({ line: i + 1, request: record as LabelledRequest });
  });
  return out;
}

export function evaluate(
  examples: readonly { line: number; request: LabelledRequest }[],
  run: (text: string) => Classification = (text) => classify(text),
): Evaluation {
  const confusion = {} as Evaluation['confusion'];
  for (const a of CHAIN_IDS) {
    confusion[a] = { feature: 0, bug: 0, release: 0, incident: 0, cross_project: 0, compliance: 0, none: 0 };
  }
  const e: Evaluation = {
    total: 0,
    correct: 0,
    asked: 0,
    startedWrong: 0,
    askedWithRightChoice: 0,
    confusion,
    flags: { labelled: 0, right: 0, extra: 0 },
    severity: { labelled: 0, right: 0 },
    releaseType: { labelled: 0, right: 0 },
    changeType: { labelled: 0, right: 0 },
    misses: [],
    flagMisses: [],
    severityMisses: [],
  };
  for (const { line, request } of examples) {
    const got = run(request.text);
    e.total++;
    confusion[request.chain][got.chain ?? 'none']++;
    const right = got.chain === request.chain;
    if (right) e.correct++;
    if (got.ask) {
      e.asked++;
      if (got.choices.includes(request.chain)) e.askedWithRightChoice++;
    } else if (!right) {
      e.startedWrong++;
    }
    if (!right) {
      e.misses.push({
        line,
        text: request.text,
        expected: request.chain,
        got: got.chain,
        confidence: got.confidence,
        ask: got.ask,
      });
    }
    if (request.flags) {
      const expected = request.flags;
      e.flags.labelled += expected.length;
      e.flags.right += expected.filter((f) => got.flags.includes(f)).length;
      const extra = got.flags.filter((f) => !expected.includes(f));
      e.flags.extra += extra.length;
      if (extra.length > 0 || expected.some((f) => !got.flags.includes(f))) {
        e.flagMisses.push({ line, text: request.text, expected, got: got.flags });
      }
    }
    if (request.severity) {
      e.severity.labelled++;
      if (got.severity === request.severity) e.severity.right++;
      else e.severityMisses.push({ line, text: request.text, expected: request.severity, got: got.severity });
    }
    if (request.releaseType) {
      e.releaseType.labelled++;
      if (got.releaseType === request.releaseType) e.releaseType.right++;
    }
    if (request.changeType) {
      e.changeType.labelled++;
      if (got.changeType === request.changeType) e.changeType.right++;
    }
  }
  return e;
}

const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);

/** A plain-text report of an evaluation, as `npm run eval:classifier` prints it. */
export function formatEvaluation(e: Evaluation, options: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  const flagsAndSeverity = e.flags.right + e.severity.right;
  const flagsAndSeverityLabelled = e.flags.labelled + e.severity.labelled;
  lines.push(`requests            ${e.total}`);
  lines.push(`chain accuracy      ${pct(e.correct, e.total)} (${e.correct}/${e.total})`);
  lines.push(
    `ask rate            ${pct(e.asked, e.total)} (${e.asked}; right chain offered in ${e.askedWithRightChoice})`,
  );
  lines.push(
    `started wrong       ${pct(e.startedWrong, e.total)} (${e.startedWrong}: wrong chain started without asking)`,
  );
  lines.push(
    `flags               ${pct(e.flags.right, e.flags.labelled)} of labelled flags found (${e.flags.right}/${e.flags.labelled}), ${e.flags.extra} extra`,
  );
  lines.push(
    `severity            ${pct(e.severity.right, e.severity.labelled)} (${e.severity.right}/${e.severity.labelled})`,
  );
  lines.push(
    `flags + severity    ${pct(flagsAndSeverity, flagsAndSeverityLabelled)} (${flagsAndSeverity}/${flagsAndSeverityLabelled})`,
  );
  if (e.releaseType.labelled)
    lines.push(
      `release type        ${pct(e.releaseType.right, e.releaseType.labelled)} (${e.releaseType.right}/${e.releaseType.labelled})`,
    );
  if (e.changeType.labelled)
    lines.push(
      `change type         ${pct(e.changeType.right, e.changeType.labelled)} (${e.changeType.right}/${e.changeType.labelled})`,
    );
  lines.push('');
  lines.push('confusion (rows: expected, columns: predicted)');
  const short: Record<ChainId | 'none', string> = {
    feature: 'feat',
    bug: 'bug',
    release: 'rel',
    incident: 'inc',
    cross_project: 'chg',
    compliance: 'aud',
    none: 'none',
  };
  const cols = [...CHAIN_IDS, 'none'] as const;
  lines.push(`${''.padEnd(14)}${cols.map((c) => short[c].padStart(6)).join('')}`);
  for (const row of CHAIN_IDS) {
    lines.push(`${row.padEnd(14)}${cols.map((c) => String(e.confusion[row][c]).padStart(6)).join('')}`);
  }
  if (options.verbose) {
    lines.push('', 'chain misses:');
    for (const m of e.misses) {
      lines.push(
        `  ${m.line}: ${m.expected} → ${m.got} ${m.ask ? '(asked)' : '(STARTED)'} ${m.confidence}  ${m.text.slice(0, 110)}`,
      );
    }
    lines.push('', 'flag misses:');
    for (const m of e.flagMisses)
      lines.push(`  ${m.line}: want [${m.expected}] got [${m.got}]  ${m.text.slice(0, 90)}`);
    lines.push('', 'severity misses:');
    for (const m of e.severityMisses)
      lines.push(`  ${m.line}: want ${m.expected} got ${m.got}  ${m.text.slice(0, 90)}`);
  }
  return lines.join('\n');
}
