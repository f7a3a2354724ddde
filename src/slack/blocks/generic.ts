// Notices without a builder of their own (reminders, escalations, GDPR clocks, digests,
// post-mortems, and types added later) rendered sensibly from their fields: a `text` and
// `blocks` prepared by the job when present, otherwise the fields themselves.
import type { KnownBlock } from '@slack/types';
import type { RoleMention } from '../../domain/notices.ts';
import type { Run } from '../../domain/types.ts';
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

const HEADINGS: Record<string, string> = {
  reminder: '⏰ Reminder',
  escalation: '🚨 Escalation',
  gdpr: '🛡️ GDPR clock',
  digest: '📊 Digest',
  postmortem: '📝 Post-mortem',
};

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

/** Markdown (post-mortems) to mrkdwn: headings and bold as Slack shows them. */
export function markdownToMrkdwn(md: string): string {
  return md
    .replace(/^#{1,6}\s+(.+)$/gm, '*$1*')
    .replace(/\*\*(.+?)\*\*/g, '*$1*')
    .replace(/^(\s*)[-*]\s+/gm, '$1• ');
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

const SKIP = new Set(['type', 'runId', 'text', 'blocks', 'markdown']);

/** Any notice: prepared text/blocks, a markdown body, or its fields listed. */
export function buildGenericNoticeMessage(
  notice: { type: string; runId?: string | undefined; [key: string]: unknown },
  run?: Run | null,
): SlackMessage {
  const heading = HEADINGS[notice.type] ?? `ℹ️ ${notice.type.replace(/_/g, ' ')}`;
  const runLine = notice.runId ? `${notice.runId}${run ? ` · ${oneLine(run.title, 80)}` : ''}` : '';
  const text = typeof notice.text === 'string' && notice.text.trim() !== '' ? notice.text : null;
  const blocks = preparedBlocks(notice.blocks);
  const fallback = text ?? `${heading}${runLine ? ` · ${runLine}` : ''}`;
  if (blocks) return fitMessage({ text: fallback, blocks });
  const out: KnownBlock[] = [];
  if (typeof notice.markdown === 'string' && notice.markdown.trim() !== '') {
    out.push(section(`*${heading}*${runLine ? ` · ${escapeMrkdwn(runLine)}` : ''}`));
    for (const part of splitText(markdownToMrkdwn(escapeMrkdwn(notice.markdown)), LIMITS.sectionText - 100)) {
      if (part.trim() !== '') out.push(section(part));
    }
    return fitMessage({ text: fallback, blocks: out });
  }
  if (text) {
    for (const part of splitText(escapeMrkdwn(text), LIMITS.sectionText - 100))
      if (part.trim() !== '') out.push(section(part));
  } else {
    const lines = Object.entries(notice)
      .filter(([k]) => !SKIP.has(k))
      .map(([k, v]) => describe(k, v))
      .filter((l): l is string => l !== null);
    out.push(section([`*${heading}*`, ...lines].join('\n')));
  }
  if (runLine) out.push(context(escapeMrkdwn(runLine)));
  return fitMessage({ text: fallback, blocks: out });
}
