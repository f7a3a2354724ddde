// Digest, metrics and post-mortem messages: one section per part of the report, each within
// Slack's 3000 characters (long parts are split), at most 50 blocks.
import type { KnownBlock } from '@slack/types';
import type { DigestNotice } from '../../../services/clocks/digest-service.ts';
import type { MetricsReport } from '../../../services/clocks/metrics.ts';
import type { PostmortemDraft } from '../../../services/clocks/postmortem.ts';
import {
  digestSections,
  fmtFor,
  metricsSections,
  type TextSection,
} from '../../../services/clocks/report-text.ts';
import { context, divider, fitMessage, header, type SlackMessage, section } from '../kit.ts';
import { LIMITS, splitText } from '../limits.ts';
import { slackDate } from './time.ts';

function sectionBlocks(sections: TextSection[]): KnownBlock[] {
  const out: KnownBlock[] = [];
  for (const s of sections) {
    const body = [`*${s.title}*`, ...s.lines].join('\n');
    for (const part of splitText(body, LIMITS.sectionText - 100)) out.push(section(part));
  }
  return out;
}

export function buildDigestMessage(n: DigestNotice): SlackMessage {
  const d = n.data;
  const summary = `${d.shipped.total} shipped, ${d.pending.total} pending, ${d.blocked.total} blocked, ${d.overdue.total} overdue, ${d.incidents.total} open incident(s), ${d.gdpr.items.length} GDPR clock(s)`;
  return fitMessage({
    text: `${n.title}: ${summary}`,
    blocks: [
      header(`📊 ${n.title}`),
      context(summary),
      divider(),
      ...sectionBlocks(digestSections(d, fmtFor('mrkdwn'))),
    ],
  });
}

/** Blocks for App Home (no fallback text there) and `/lead metrics`. */
export function buildMetricsBlocks(report: MetricsReport): KnownBlock[] {
  const window =
    report.from === null
      ? []
      : [
          context(
            `Runs closed since ${slackDate(report.from)}${report.to === null ? '' : ` until ${slackDate(report.to)}`}`,
          ),
        ];
  return [header('📈 Chain metrics'), ...window, ...sectionBlocks(metricsSections(report, fmtFor('mrkdwn')))];
}

export function buildMetricsMessage(report: MetricsReport): SlackMessage {
  const total = report.chains.reduce((n, c) => n + c.count, 0);
  return fitMessage({ text: `Chain metrics: ${total} runs closed`, blocks: buildMetricsBlocks(report) });
}

/** Markdown (as the CLI prints it) to Slack mrkdwn. */
export function markdownToMrkdwn(md: string): string {
  return md
    .split('\n')
    .map((line) =>
      line
        .replace(/^#{1,6}\s+(.*)$/, '*$1*')
        .replace(/\*\*(.+?)\*\*/g, '*$1*')
        .replace(/^- \[ \] /, '☐ ')
        .replace(/^- /, '• ')
        .replace(/(^|[\s(])@([UW][A-Z0-9]{2,})\b/g, '$1<@$2>'),
    )
    .join('\n');
}

export function buildPostmortemMessage(n: { runId: string; markdown: string }): SlackMessage {
  const [first, ...rest] = n.markdown.split('\n');
  const title = (first ?? '').replace(/^#\s+/, '') || `Post-mortem draft: ${n.runId}`;
  const parts = splitText(markdownToMrkdwn(rest.join('\n').trim()), LIMITS.sectionText - 100);
  return fitMessage({ text: title, blocks: [header(`📝 ${title}`), ...parts.map((p) => section(p))] });
}

/** For the requester alone: the draft went to the incident's thread. */
export function buildPostmortemPosted(draft: Pick<PostmortemDraft, 'runId'>): SlackMessage {
  return fitMessage({
    text: `The post-mortem draft for ${draft.runId} is posted in its thread.`,
    blocks: [
      section(
        `📝 The post-mortem draft for *${draft.runId}* is posted in its thread: timeline, severity, impact, root cause, mitigation, permanent fix and follow-ups, to complete there.`,
      ),
    ],
  });
}
