// Text renderings of the digest and metrics: one structure (titled sections of lines) written
// through a formatter, so each surface brings its own. Markdown (the CLI, files, the digest's
// archive text) is here; Slack's mrkdwn formatter is in src/slack/blocks/clocks/reports.ts, whose
// builders put each section in its own block.
import type {
  ChainMetrics,
  DigestData,
  Improvement,
  MetricsChange,
  MetricsReport,
} from '../../domain/reports.ts';
import type { RoleMention } from '../../domain/types.ts';
import { humanDuration, localDateTime } from '../clocks/business-time.ts';

export interface TextSection {
  title: string;
  lines: string[];
}

export interface Fmt {
  /** User-written text (titles, reasons): escaped for Slack, as is in Markdown. */
  text(s: string): string;
  bold(s: string): string;
  link(text: string, url: string | null): string;
  /** A role and who holds it; `ping` mentions the holders (Slack notifies them). */
  role(m: RoleMention, ping?: boolean): string;
}

/** Markdown: user text as is, holders by ID. */
export const markdownFmt: Fmt = {
  text: (s) => s,
  bold: (s) => `**${s}**`,
  link: (text, url) => (url ? `[${text}](${url})` : text),
  role: (m) => (m.principals.length > 0 ? `@${m.role} (${m.principals.join(', ')})` : `@${m.role}`),
};

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);
const dur = (ms: number | null) => (ms === null ? '–' : humanDuration(ms));
const signed = (x: number, unit = '') => `${x > 0 ? '+' : ''}${x}${unit}`;

function changeText(c: MetricsChange | undefined): string {
  if (!c) return '';
  const parts = [`${signed(c.count)} runs`];
  if (c.avgDurationMs !== null)
    parts.push(`${c.avgDurationMs >= 0 ? '+' : '-'}${humanDuration(Math.abs(c.avgDurationMs))} avg`);
  if (c.successRate !== null) parts.push(`${signed(Math.round(c.successRate * 100), ' pts')} success`);
  return ` (vs week before: ${parts.join(', ')})`;
}

/** The seed's "improvements needed": the step named, and what it led on. */
export function improvementText(i: Improvement | null | undefined): string {
  if (!i) return 'none';
  const why = i.reasons.map((r) =>
    r === 'escalated'
      ? `escalated most, ${i.escalated}×`
      : r === 'blocked'
        ? `blocked most, ${i.blocked}×`
        : `waited longest, avg ${dur(i.avgWaitMs)}`,
  );
  return `${i.stepTitle} (${why.join('; ')})`;
}

/** The seed's columns after the closed/avg/success/open summary: frequency, p90, improvements. */
function seedColumns(c: ChainMetrics): string {
  if (c.started === undefined) return '';
  return ` · ${c.started} started, p90 ${dur(c.p90DurationMs ?? null)} · improvements needed: ${improvementText(c.improvement)}`;
}

export function metricsSections(report: MetricsReport, f: Fmt, change?: MetricsChange[]): TextSection[] {
  const byChain = new Map((change ?? []).map((c) => [c.chain, c]));
  const chains = report.chains.map(
    (c) =>
      `• ${f.bold(c.title)}: ${c.count} closed, avg ${dur(c.avgDurationMs)}, success ${pct(c.successRate)}, ${c.open} open${seedColumns(c)}${change ? changeText(byChain.get(c.chain)) : ''}`,
  );
  const mttr = report.mttr.map(
    (m) =>
      `• ${m.severity.toUpperCase()}: ${m.count > 0 ? `${dur(m.avgMs)} over ${m.count} incident(s)` : 'no incident restored'}`,
  );
  return [
    { title: 'Chains', lines: chains },
    { title: 'MTTR (detect → service restored)', lines: mttr },
  ];
}

const more = (total: number, shown: number) => (total > shown ? [`…and ${total - shown} more`] : []);

export function digestSections(d: DigestData, f: Fmt): TextSection[] {
  const tz = d.timeZone;
  const out: TextSection[] = [];
  out.push({
    title: `Shipped since ${localDateTime(d.since, tz)} (${d.shipped.total})`,
    lines:
      d.shipped.total === 0
        ? ['Nothing shipped.']
        : [
            ...d.shipped.items.map(
              (r) => `• ${f.link(r.id, r.link)} ${f.text(r.title)} (${humanDuration(r.durationMs)})`,
            ),
            ...more(d.shipped.total, d.shipped.items.length),
          ],
  });
  const pending: string[] = [];
  for (const g of d.pending.groups) {
    pending.push(`${f.bold(`${g.chainTitle} › ${g.stepTitle}`)} (${g.count})`);
    for (const i of g.items) {
      pending.push(
        `• ${f.link(i.id, i.link)} ${f.text(i.title)}: ${i.owners.map((m) => f.role(m)).join(', ') || 'nobody'}, waiting ${humanDuration(i.ageMs)}${i.acknowledged ? '' : ', not acknowledged'}`,
      );
    }
    pending.push(...more(g.count, g.items.length));
  }
  out.push({
    title: `Pending (${d.pending.total})`,
    lines: pending.length > 0 ? pending : ['Nothing pending.'],
  });
  out.push({
    title: `Blocked (${d.blocked.total})`,
    lines:
      d.blocked.total === 0
        ? ['Nothing blocked.']
        : [
            ...d.blocked.items.map(
              (b) =>
                `• ${f.link(b.id, b.link)} ${f.text(b.title)}, ${b.stepTitle}: ${f.text(b.reason)}${b.role ? ` (blocked by @${b.role})` : ''}`,
            ),
            ...more(d.blocked.total, d.blocked.items.length),
          ],
  });
  // Messages Slack refused (outbox): a section only when some open run has them.
  const refused = d.deliveryProblems ?? [];
  if (refused.length > 0)
    out.push({
      title: `Messages Slack refused (${refused.length})`,
      lines: refused.map(
        (p) =>
          `• ${f.link(p.id, p.link)} ${f.text(p.title)}: ${[p.held > 0 ? `${p.held} waiting for the bot to be invited to the channel` : '', p.failed > 0 ? `${p.failed} not posted (${p.errors.join(', ')})` : ''].filter(Boolean).join('; ')}`,
      ),
    });
  out.push({
    title: `Overdue (${d.overdue.total})`,
    lines:
      d.overdue.total === 0
        ? ['Nothing overdue.']
        : [
            ...d.overdue.items.map(
              (o) =>
                `• ${f.link(o.id, o.link)} ${f.text(o.title)}, ${o.stepTitle}: ${o.phase === 'ack' ? 'not acknowledged' : 'not done'}, ${humanDuration(o.overdueByMs)} past the deadline; ${o.owners.map((m) => f.role(m, true)).join(', ')}`,
            ),
            ...more(d.overdue.total, d.overdue.items.length),
          ],
  });
  const algo = d.algorithmChanges;
  if (algo)
    out.push({
      title: `${algo.chainTitle}s: ${algo.shipped.total} shipped, ${algo.pending.total} pending`,
      lines:
        algo.shipped.total + algo.pending.total === 0
          ? ['No algorithm change shipped or pending.']
          : [
              ...algo.shipped.items.map((r) => `• shipped ${f.link(r.id, r.link)} ${f.text(r.title)}`),
              ...more(algo.shipped.total, algo.shipped.items.length),
              ...algo.pending.items.map(
                (r) =>
                  `• pending ${f.link(r.id, r.link)} ${f.text(r.title)}: ${r.stepTitle}${r.blocked ? ' (blocked)' : ''}`,
              ),
              ...more(algo.pending.total, algo.pending.items.length),
            ],
    });
  out.push({
    title: `Open incidents (${d.incidents.total})`,
    lines:
      d.incidents.total === 0
        ? ['No open incident.']
        : d.incidents.bySeverity.map(
            (s) =>
              `• ${f.bold(s.severity.toUpperCase())} (${s.count}): ${s.items.map((r) => f.link(r.id, r.link)).join(', ')}${s.count > s.items.length ? ', …' : ''}`,
          ),
  });
  out.push({
    title: `GDPR notification clocks (${d.gdpr.items.length})`,
    lines:
      d.gdpr.items.length === 0
        ? ['No clock running.']
        : d.gdpr.items.map(
            (g) =>
              `• ${f.link(g.id, g.link)} ${f.text(g.title)}: ${g.overdue ? `${f.bold('OVERDUE')} by ${humanDuration(-g.remainingMs)}` : `${humanDuration(g.remainingMs)} left`} (deadline ${localDateTime(g.deadlineAt, tz)})`,
          ),
  });
  if (d.followUps)
    out.push({
      title: `Open follow-ups (${d.followUps.total})`,
      lines:
        d.followUps.total === 0
          ? ['No post-mortem follow-up open.']
          : d.followUps.incidents.map(
              (g) =>
                `• ${f.link(g.incident.id, g.incident.link)} ${f.text(g.incident.title)}: ${g.items.map((r) => `${f.link(r.id, r.link)} ${f.text(r.title)} (${r.status})`).join('; ')}`,
            ),
    });
  if (d.metrics) {
    for (const s of metricsSections(d.metrics.current, f, d.metrics.change))
      out.push({ ...s, title: `${s.title}, last 7 days` });
  }
  return out;
}

export function digestTitle(d: DigestData): string {
  return `${d.kind === 'weekly' ? 'Weekly' : 'Daily'} digest, ${d.periodKey.split(':')[1]}`;
}

/** The sections as one Markdown document. */
export function sectionsToMarkdown(title: string, sections: TextSection[]): string {
  return [`# ${title}`, ...sections.flatMap((s) => ['', `## ${s.title}`, ...s.lines])].join('\n');
}

export function digestText(d: DigestData): string {
  return sectionsToMarkdown(digestTitle(d), digestSections(d, markdownFmt));
}

export function metricsText(report: MetricsReport): string {
  return sectionsToMarkdown('Chain metrics', metricsSections(report, markdownFmt));
}
