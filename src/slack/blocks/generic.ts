// A notice this version has no builder for (an outbox row written by another version of the
// bot), rendered sensibly from its fields: a `text` and `blocks` prepared by the writer when
// present, otherwise the fields themselves. Also the root message of a run that is gone.
import type { KnownBlock } from '@slack/types';
import type { RoleMention, Run } from '../../domain/types.ts';
import {
  context,
  fitMessage,
  formatDuration,
  mentionAll,
  roleMentions,
  type SlackMessage,
  section,
  userText,
} from './kit.ts';
import { escapeMrkdwn, LIMITS, oneLine, splitText } from './limits.ts';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isRoleMention = (v: unknown): v is RoleMention =>
  isObject(v) &&
  typeof v.role === 'string' &&
  Array.isArray(v.principals) &&
  v.principals.every((p) => typeof p === 'string');

/** Slack-bound blocks a job prepared: kept when they look like blocks at all. */
function preparedBlocks(v: unknown): KnownBlock[] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  return v.every((b) => isObject(b) && typeof b.type === 'string') ? (v as KnownBlock[]) : null;
}

function describe(key: string, v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (isRoleMention(v)) return `*${key}:* ${roleMentions([v])}`;
  if (Array.isArray(v)) {
    if (v.length === 0) return null;
    if (v.every(isRoleMention)) return `*${key}:* ${roleMentions(v)}`;
    if (v.every((p) => typeof p === 'string' && /^[UWS][A-Z0-9]{2,}$/.test(p)))
      return `*${key}:* ${mentionAll(v)}`;
    return `*${key}:* ${userText(v.map((x) => (isObject(x) ? JSON.stringify(x) : String(x))).join(', '), 500)}`;
  }
  if (isObject(v)) return `*${key}:* ${userText(JSON.stringify(v), 500)}`;
  if (typeof v === 'boolean') return `*${key}:* ${v ? 'yes' : 'no'}`;
  // Times and durations as the clocks write them: `dueAt` (epoch ms), `lateByMs`.
  if (typeof v === 'number' && /At$/.test(key))
    return `*${key}:* <!date^${Math.floor(v / 1000)}^{date_short_pretty} {time}|${new Date(v).toISOString()}>`;
  if (typeof v === 'number' && /Ms$/.test(key)) return `*${key}:* ${formatDuration(v)}`;
  return `*${key}:* ${userText(String(v), 1000)}`;
}

const SKIP = new Set(['type', 'runId', 'text', 'blocks']);

/** Any notice: prepared text/blocks, or its fields listed. */
export function buildGenericNoticeMessage(
  notice: { type: string; runId?: string | undefined; text?: string },
  run?: Run | null,
): SlackMessage {
  const fields: Record<string, unknown> = Object.fromEntries(Object.entries(notice));
  const heading = `ℹ️ ${notice.type.replace(/_/g, ' ')}`;
  const runLine = notice.runId ? `${notice.runId}${run ? ` · ${oneLine(run.title, 80)}` : ''}` : '';
  const text = typeof fields.text === 'string' && fields.text.trim() !== '' ? fields.text : null;
  const blocks = preparedBlocks(fields.blocks);
  const fallback = text ?? `${heading}${runLine ? ` · ${runLine}` : ''}`;
  if (blocks) return fitMessage({ text: fallback, blocks });
  const out: KnownBlock[] = [];
  if (text) {
    for (const part of splitText(escapeMrkdwn(text), LIMITS.sectionText - 100))
      if (part.trim() !== '') out.push(section(part));
  } else {
    const lines = Object.entries(fields)
      .filter(([k]) => !SKIP.has(k))
      .map(([k, v]) => describe(k, v))
      .filter((l): l is string => l !== null);
    out.push(section([`*${heading}*`, ...lines].join('\n')));
  }
  if (runLine) out.push(context(escapeMrkdwn(runLine)));
  return fitMessage({ text: fallback, blocks: out });
}
