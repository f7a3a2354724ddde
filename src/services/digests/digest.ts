// The #algo-sync digest (seed 000: "automated digest summarizing changes shipped and
// pending"), as data: shipped since the last digest, pending by chain and step with owner and
// age, blocked with the reason, overdue steps, open incidents by severity, running GDPR
// clocks; the weekly one adds per-chain metrics and the change from the week before.
// Everything is aggregated in SQL; lists are capped (totals stay exact) to fit in Slack.
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import { INCIDENT_SEVERITIES } from '../../../routing/vocabulary.ts';
import { FOLLOW_UP_CHAINS, linksOf } from '../../domain/links.ts';
import type { DeliveryProblem } from '../../domain/notices.ts';
import type { DigestData, DigestKind, PendingItem, RunRef } from '../../domain/reports.ts';
import type { Run } from '../../domain/types.ts';
import type { OpenStepRow, Repositories } from '../../persistence/ports.ts';
import { ACK_KINDS, DUE_KINDS, TIMER } from '../clocks/timer-kinds.ts';
import { computeMetrics, metricsChange } from '../metrics/metrics.ts';

const DAY = 24 * 3_600_000;

/** The chain whose runs the digest lists as their own section (seed 000's algorithm changes). */
export const ALGORITHM_CHAIN = 'algorithm_change';

export interface DigestOptions {
  kind: DigestKind;
  periodKey: string;
  now: number;
  since: number;
  timeZone: string;
  playbooks: Playbook[];
  /** The workspace URL (`https://acme.slack.com/`, from auth.test); without it, no links. */
  permalinkBase?: string | null;
  /** Items listed per section (totals stay exact). */
  limit?: number;
  /** What Slack refused of the runs' messages (the outbox's held and failed rows). */
  deliveryProblems?: DeliveryProblem[];
}

/**
 * A permalink to the run's thread: its root message in the workspace, as chat.getPermalink
 * gives it (a root posted as a reply, in a mention's thread, carries `thread_ts` and `cid`).
 * Null without the workspace URL (`base`, from auth.test) or before the root message exists.
 */
export function threadLink(
  r: { channelId: string | null; threadTs: string | null; rootTs: string | null },
  base: string | null | undefined,
): string | null {
  const root = r.rootTs ?? r.threadTs;
  if (!base || !r.channelId || !root) return null;
  const url = `${base.replace(/\/$/, '')}/archives/${r.channelId}/p${root.replace('.', '')}`;
  return r.threadTs && r.threadTs !== root ? `${url}?thread_ts=${r.threadTs}&cid=${r.channelId}` : url;
}

const SEVERITY_ORDER: readonly string[] = INCIDENT_SEVERITIES;

function pendingRoles(s: OpenStepRow): string[] {
  const owners = s.owners.filter((r) => !s.deliveries[r]);
  return owners.length > 0 ? owners : s.approvers.filter((r) => !s.deliveries[r]);
}

/** Follow-ups of post-mortems still open, grouped by their incident, oldest incident first. */
async function openFollowUps(
  repos: Pick<Repositories, 'runs'>,
  ref: (r: Pick<Run, 'id' | 'title' | 'chain' | 'channelId' | 'threadTs' | 'rootTs'>) => RunRef,
): Promise<NonNullable<DigestData['followUps']>> {
  const open = (
    await Promise.all(
      FOLLOW_UP_CHAINS.map((chain) => repos.runs.list({ open: true, chain, source: 'follow_up' })),
    )
  ).flat();
  const byIncident = new Map<string, Run[]>();
  for (const r of open) {
    const of = linksOf(r).find((l) => l.relation === 'follow_up_of');
    if (of) byIncident.set(of.runId, [...(byIncident.get(of.runId) ?? []), r]);
  }
  // Their incidents, read at once.
  const incidentById = new Map(
    (await repos.runs.list({ ids: [...byIncident.keys()] })).map((r) => [r.id, r]),
  );
  const incidents = [];
  for (const [id, items] of byIncident) {
    const incident = incidentById.get(id);
    if (!incident) continue;
    incidents.push({
      incident: ref(incident),
      items: items.sort((a, b) => a.createdAt - b.createdAt).map((r) => ({ ...ref(r), status: r.status })),
      at: incident.createdAt,
    });
  }
  incidents.sort((a, b) => a.at - b.at);
  return {
    total: open.filter((r) => linksOf(r).some((l) => l.relation === 'follow_up_of')).length,
    incidents: incidents.map(({ incident, items }) => ({ incident, items })),
  };
}

export async function buildDigestData(
  repos: Pick<Repositories, 'clock' | 'reports' | 'runs'>,
  o: DigestOptions,
): Promise<DigestData> {
  const limit = o.limit ?? 10;
  const titles = new Map(o.playbooks.map((p) => [p.id, p.title]));
  const ref = (r: {
    id: string;
    title: string;
    chain: string;
    channelId: string | null;
    threadTs: string | null;
    rootTs: string | null;
  }): RunRef => ({
    id: r.id,
    title: r.title,
    chain: r.chain,
    link: threadLink(r, o.permalinkBase),
  });

  const shippedRows = await repos.reports.closedRuns(o.since, o.now, ['done'], limit);
  const shippedTotal = await repos.reports.countClosed(o.since, o.now, ['done']);

  const open = await repos.reports.openSteps();
  const item = (s: OpenStepRow): PendingItem => ({
    ...ref({ ...s, id: s.runId }),
    stepTitle: s.stepTitle,
    owners: pendingRoles(s).map((role) => ({ role, principals: s.assignees[role] ?? [] })),
    ageMs: o.now - (s.startedAt ?? s.runCreatedAt),
    acknowledged: s.acknowledgedAt !== null,
  });

  // Pending: active steps, grouped by chain and step, oldest first.
  const groups = new Map<
    string,
    { chain: string; chainTitle: string; stepKey: string; stepTitle: string; rows: OpenStepRow[] }
  >();
  for (const s of open) {
    if (s.stepStatus !== 'active') continue;
    const key = `${s.chain}\u0000${s.stepKey}`;
    const g = groups.get(key) ?? {
      chain: s.chain,
      chainTitle: titles.get(s.chain) ?? s.chain,
      stepKey: s.stepKey,
      stepTitle: s.stepTitle,
      rows: [],
    };
    g.rows.push(s);
    groups.set(key, g);
  }
  const chainOrder = new Map(o.playbooks.map((p, i) => [p.id, i]));
  const stepOrder = new Map<string, number>(
    o.playbooks.flatMap((p) => p.steps.map((s, i) => [`${p.id}\u0000${s.key}`, i] as const)),
  );
  const pendingGroups = [...groups.entries()]
    .sort(
      ([ka, a], [kb, b]) =>
        (chainOrder.get(a.chain) ?? 99) - (chainOrder.get(b.chain) ?? 99) ||
        (stepOrder.get(ka) ?? 99) - (stepOrder.get(kb) ?? 99),
    )
    .map(([, g]) => ({
      chain: g.chain,
      chainTitle: g.chainTitle,
      stepKey: g.stepKey,
      stepTitle: g.stepTitle,
      count: g.rows.length,
      items: g.rows
        .map(item)
        .sort((a, b) => b.ageMs - a.ageMs || a.id.localeCompare(b.id))
        .slice(0, limit),
    }));

  const blockedRows = open.filter((s) => s.stepStatus === 'blocked');
  const blocked = blockedRows
    .map((s) => ({
      ...ref({ ...s, id: s.runId }),
      stepTitle: s.stepTitle,
      reason: s.blockReason ?? s.blockedReason ?? '',
      by: s.blockedBy,
      role: s.blockedByRole,
      ageMs: o.now - (s.startedAt ?? s.runCreatedAt),
    }))
    .sort((a, b) => b.ageMs - a.ageMs || a.id.localeCompare(b.id));

  // Overdue: the step's acknowledgement or completion deadline passed.
  const ackPast = await repos.clock.stepsPastTimers([TIMER.ackDue], ACK_KINDS, o.now);
  const donePast = await repos.clock.stepsPastTimers(
    DUE_KINDS.filter((k) => k !== TIMER.ackDue),
    ACK_KINDS,
    o.now,
  );
  const overdue = open
    .filter((s) => ackPast.has(s.stepId) || donePast.has(s.stepId))
    .map((s) => {
      const done = donePast.get(s.stepId);
      const phase: 'ack' | 'done' = done !== undefined ? 'done' : 'ack';
      const deadline = done ?? ackPast.get(s.stepId)!;
      return { ...item(s), phase, overdueByMs: o.now - deadline };
    })
    .sort((a, b) => b.overdueByMs - a.overdueByMs || a.id.localeCompare(b.id));

  // Open incidents by severity (one row per open run).
  const incidents = new Map<string, RunRef[]>();
  const seen = new Set<string>();
  for (const s of open) {
    if (s.chain !== 'incident' || seen.has(s.runId)) continue;
    seen.add(s.runId);
    const sev = s.severity ?? 'unassessed';
    incidents.set(sev, [...(incidents.get(sev) ?? []), ref({ ...s, id: s.runId })]);
  }
  const bySeverity = [...incidents.entries()]
    .sort(([a], [b]) => (SEVERITY_ORDER.indexOf(a) + 1 || 99) - (SEVERITY_ORDER.indexOf(b) + 1 || 99))
    .map(([severity, items]) => ({ severity, count: items.length, items: items.slice(0, limit) }));

  const gdpr = (await repos.clock.runTimers(TIMER.gdpr))
    .filter((g, i, all) => all.findIndex((x) => x.runId === g.runId) === i)
    .map((g) => {
      const deadlineAt = Number(g.data.deadlineAt);
      return {
        ...ref({ ...g, id: g.runId, chain: 'incident' }),
        startedAt: Number(g.data.startedAt),
        deadlineAt,
        remainingMs: deadlineAt - o.now,
        overdue: deadlineAt <= o.now,
      };
    })
    .sort((a, b) => a.deadlineAt - b.deadlineAt);

  const algorithm = o.playbooks.find((p) => p.id === ALGORITHM_CHAIN);
  let algorithmChanges: DigestData['algorithmChanges'];
  if (algorithm) {
    const shipped = (await repos.reports.closedRuns(o.since, o.now, ['done'], 1000)).filter(
      (r) => r.chain === ALGORITHM_CHAIN,
    );
    const pendingRows = open.filter((s) => s.chain === ALGORITHM_CHAIN);
    algorithmChanges = {
      chainTitle: algorithm.title,
      shipped: {
        total: shipped.length,
        items: shipped.slice(0, limit).map((r) => ({ ...ref(r), closedAt: r.closedAt })),
      },
      pending: {
        total: pendingRows.length,
        items: pendingRows.slice(0, limit).map((s) => ({
          ...ref({ ...s, id: s.runId }),
          stepTitle: s.stepTitle,
          blocked: s.stepStatus === 'blocked',
        })),
      },
    };
  }

  let metrics: DigestData['metrics'] = null;
  let followUps: DigestData['followUps'];
  if (o.kind === 'weekly') {
    followUps = await openFollowUps(repos, ref);
    const current = await computeMetrics(repos.reports, o.playbooks, { from: o.now - 7 * DAY, to: o.now });
    const previous = await computeMetrics(repos.reports, o.playbooks, {
      from: o.now - 14 * DAY,
      to: o.now - 7 * DAY,
    });
    metrics = { current, previous, change: metricsChange(current, previous) };
  }

  return {
    kind: o.kind,
    periodKey: o.periodKey,
    generatedAt: o.now,
    timeZone: o.timeZone,
    since: o.since,
    shipped: {
      total: shippedTotal,
      items: shippedRows.map((r) => ({
        ...ref(r),
        closedAt: r.closedAt,
        durationMs: r.closedAt - r.createdAt,
      })),
    },
    pending: { total: open.filter((s) => s.stepStatus === 'active').length, groups: pendingGroups },
    blocked: { total: blocked.length, items: blocked.slice(0, limit) },
    overdue: { total: overdue.length, items: overdue.slice(0, limit) },
    incidents: { total: seen.size, bySeverity },
    gdpr: { items: gdpr },
    ...(algorithmChanges ? { algorithmChanges } : {}),
    ...(followUps ? { followUps } : {}),
    metrics,
    deliveryProblems: (o.deliveryProblems ?? []).flatMap((p) => {
      const s = open.find((r) => r.runId === p.runId);
      return s ? [{ ...ref({ ...s, id: s.runId }), held: p.held, failed: p.failed, errors: p.errors }] : [];
    }),
  };
}
