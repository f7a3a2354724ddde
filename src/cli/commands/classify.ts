/**
 * `projectlead classify <text…>` and `projectlead classify --jsonl` (CONTRACT.md, CLI).
 * Human-readable by default, JSON alone on stdout with `--json`; `--jsonl` reads JSON lines
 * with a `text` field on stdin and writes one JSON line per input, in order. A bad input
 * line yields `{"error": …}` on its own line and never stops the stream.
 */
import { createInterface } from 'node:readline';
import {
  buildCorrectionIndex,
  type Classification,
  type Correction,
  type CorrectionIndex,
  classify,
} from '../../../routing/classifier/index.ts';
import { CHAIN_TITLES, isChainId } from '../../../routing/vocabulary.ts';
import { type CliCommand, withCore } from '../io.ts';

export interface ClassifyIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = 'usage: projectlead classify [--json] <text…> | projectlead classify --jsonl < requests.jsonl';

/** `projectlead classify`, with the corrections stored in the bot's database. */
export const classifyWithCorrections: CliCommand = (args, io) =>
  withCore(io, async (core) => {
    const corrections = (await core.store.read.corrections.all()).flatMap((c) =>
      isChainId(c.chain) ? [{ text: c.text, chain: c.chain, at: c.createdAt }] : [],
    );
    return await classifyCommand(args, io, corrections);
  });

export async function classifyCommand(
  args: string[],
  io: ClassifyIo,
  corrections: Correction[] = [],
): Promise<number> {
  const index = buildCorrectionIndex(corrections);
  const json = args.includes('--json');
  const jsonl = args.includes('--jsonl');
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = args.find((a) => a.startsWith('--') && a !== '--json' && a !== '--jsonl');
  if (unknown) {
    io.stderr.write(`classify: unknown option ${unknown}\n${USAGE}\n`);
    return 2;
  }
  if (jsonl) return classifyLines(io, index);

  const text = args.filter((a) => a !== '--json').join(' ');
  if (text.trim() === '') {
    io.stderr.write(`classify: no request text given\n${USAGE}\n`);
    return 2;
  }
  const result = classify(text, { corrections: index });
  io.stdout.write(json ? `${JSON.stringify(toJson(result))}\n` : formatHuman(result));
  return 0;
}

async function classifyLines(io: ClassifyIo, index: CorrectionIndex): Promise<number> {
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    io.stdout.write(`${JSON.stringify(classifyLine(line, lineNumber, index))}\n`);
  }
  return 0;
}

function classifyLine(line: string, lineNumber: number, index: CorrectionIndex): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { line: lineNumber, error: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || typeof (value as { text?: unknown }).text !== 'string') {
    return { line: lineNumber, error: 'expected a JSON object with a string "text" field' };
  }
  const record = value as { text: string; id?: unknown };
  const out = toJson(classify(record.text, { corrections: index }));
  return record.id === undefined ? out : { id: record.id, ...out };
}

function toJson(result: Classification): Record<string, unknown> {
  const out: Record<string, unknown> = {
    chain: result.chain,
    confidence: result.confidence,
    ask: result.ask,
    choices: result.choices,
    flags: result.flags,
    severity: result.severity,
    projects: result.projects,
    runnerUp: result.runnerUp,
    releaseType: result.releaseType,
    changeType: result.changeType,
    title: result.title,
    explanation: result.explanation,
  };
  if (result.correctedBy !== undefined) out.correctedBy = result.correctedBy;
  if (result.error !== undefined) out.error = result.error;
  return out;
}

function formatHuman(result: Classification): string {
  if (result.error) return `${result.explanation}\n`;
  const lines = [
    `chain:       ${result.chain ? `${CHAIN_TITLES[result.chain]} (${result.chain})` : 'none'}`,
    `confidence:  ${Math.round(result.confidence * 100)}%${result.ask ? ` (would ask: ${result.choices.join(' or ')})` : ''}`,
    `flags:       ${result.flags.length ? result.flags.join(', ') : 'none'}`,
  ];
  if (result.severity) lines.push(`severity:    ${result.severity}`);
  if (result.projects.length) lines.push(`projects:    ${result.projects.join(', ')}`);
  if (result.releaseType) lines.push(`release:     ${result.releaseType}`);
  if (result.changeType) lines.push(`change:      ${result.changeType}`);
  if (result.runnerUp) {
    lines.push(
      `runner-up:   ${CHAIN_TITLES[result.runnerUp.chain]} (${Math.round(result.runnerUp.confidence * 100)}%)`,
    );
  }
  lines.push(`why:         ${result.explanation}`);
  return `${lines.join('\n')}\n`;
}
