// Digest, metrics and post-mortem messages: one section per part of the report, each within
// Slack's 3000 characters (long parts are split), at most 50 blocks.
import type { KnownBlock } from '@slack/types';
import type { DigestChartNotice, DigestNotice, MetricsReport } from '../../domain/reports.ts';
import type { DigestRequestResult } from '../../services/digests/digest-service.ts';
import type { PostmortemDraft } from '../../services/postmortems/postmortem.ts';
import {
  digestSections,
  digestTitle,
  type Fmt,
  improvementText,
  metricsSections,
  type TextSection,
} from '../../services/reports/report-text.ts';
import { ACTION, encodeRunNote } from '../ids.ts';
import { slackDate } from './clocks/time.ts';
import {
  actions,
  button,
  context,
  divider,
  fitMessage,
  header,
  mentionAll,
  type SlackMessage,
  section,
  userText,
} from './kit.ts';
import { escapeMrkdwn, LIMITS, oneLine, splitText } from './limits.ts';

/** Reports in Slack mrkdwn: user text escaped, holders mentioned only where they are pinged. */
export const mrkdwnFmt: Fmt = {
  text: escapeMrkdwn,
  bold: (s) => `*${s}*`,
  link: (text, url) => (url ? `<${url}|${text}>` : text),
  role: (m, ping = false) => {
    const who = mentionAll(m.principals);
    return ping && who ? `@${m.role} (${who})` : `@${m.role}`;
  },
};

function sectionBlocks(sections: TextSection[]): KnownBlock[] {
  const out: KnownBlock[] = [];
  for (const s of sections) {
    const body = [`*${s.title}*`, ...s.lines].join('\n');
    for (const part of splitText(body, LIMITS.sectionText - 100)) out.push(section(part));
  }
  return out;
}

/** The digest; `note` (a line under the summary) says when it is shown to one person alone. */
export function buildDigestMessage(
  n: DigestNotice | Pick<DigestNotice, 'title' | 'data'>,
  note?: string,
): SlackMessage {
  const d = n.data;
  const summary = `${d.shipped.total} shipped, ${d.pending.total} pending, ${d.blocked.total} blocked, ${d.overdue.total} overdue, ${d.incidents.total} open incident(s), ${d.gdpr.items.length} GDPR clock(s)`;
  return fitMessage({
    text: `${n.title}: ${summary}`,
    blocks: [
      header(`📊 ${n.title}`),
      context(summary),
      ...(note ? [context(note)] : []),
      divider(),
      ...sectionBlocks(digestSections(d, mrkdwnFmt)),
    ],
  });
}

/**
 * The comment posted with the weekly digest's chart (and its text where a file cannot be
 * shown): what the picture shows and the week's bottleneck steps.
 */
export function buildDigestChartMessage(n: Pick<DigestChartNotice, 'chart'>): SlackMessage {
  const c = n.chart;
  const bottlenecks =
    c.bottlenecks.length > 0
      ? c.bottlenecks.map((b) => `${b.title} › ${improvementText(b.improvement)}`).join('; ')
      : 'none';
  const text = `📈 ${c.title}. This week's bottlenecks: ${bottlenecks}.`;
  return fitMessage({ text, blocks: [section(escapeMrkdwn(text))] });
}

/** `/lead digest`: where an admin's digest went, or the digest itself for the asker alone. */
export function buildDigestAnswer(r: DigestRequestResult): SlackMessage {
  const kind = r.digest.kind;
  if (r.shown === 'channel') {
    const line = `📊 The ${kind} digest is on its way to <#${r.channel}>.`;
    return fitMessage({ text: line, blocks: [section(line)] });
  }
  const note =
    r.reason === 'digests_off'
      ? '👁️ Shown to you alone: digests are off (DIGEST_CHANNEL is not set).'
      : `👁️ Shown to you alone: only admins post digests to <#${r.channel}>.`;
  return buildDigestMessage({ title: digestTitle(r.digest), data: r.digest }, note);
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
  return [header('📈 Chain metrics'), ...window, ...sectionBlocks(metricsSections(report, mrkdwnFmt))];
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

/** Follow-ups offered as runs of their own, at most (a message holds 50 blocks). */
const FOLLOW_UP_BUTTONS = 10;

export function buildPostmortemMessage(n: {
  runId: string;
  markdown: string;
  followUps?: readonly string[];
}): SlackMessage {
  const [first, ...rest] = n.markdown.split('\n');
  const title = (first ?? '').replace(/^#\s+/, '') || `Post-mortem draft: ${n.runId}`;
  // The draft quotes titles, outputs and reasons: escaped before Slack's formatting is added.
  const parts = splitText(markdownToMrkdwn(escapeMrkdwn(rest.join('\n').trim())), LIMITS.sectionText - 100);
  const offers = (n.followUps ?? []).slice(0, FOLLOW_UP_BUTTONS).flatMap((f) => {
    const value = encodeRunNote(n.runId, f);
    return [
      section(`📌 ${userText(oneLine(f, 300), 600)}`),
      ...actions([
        button('Open as Bug Fix', ACTION.followUpBug, value),
        button('Open as New Feature', ACTION.followUpFeature, value),
      ]),
    ];
  });
  const tracked =
    offers.length > 0
      ? [
          context(
            'Turn a follow-up into a run of its own: it is linked to the incident and tracked until it closes (or say `follow-up bug|feature <what>` here).',
          ),
          ...offers,
        ]
      : [];
  return fitMessage({
    text: title,
    blocks: [header(`📝 ${title}`), ...parts.map((p) => section(p)), ...tracked],
  });
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
