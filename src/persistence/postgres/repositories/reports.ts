// ReportRepository on PostgreSQL: digest and metrics aggregates computed in SQL; counts, sums
// and averages come back as numbers (see database.ts).
import { and, asc, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.pg.ts';
import { CLOSED_RUN_STATUSES, type Run, type Step } from '../../../domain/types.ts';
import type {
  ChainDetailRow,
  ChainStatsRow,
  ClosedRunRow,
  OpenStepRow,
  ReportRepository,
  StepStatsRow,
} from '../../ports.ts';
import { stepStatsRows } from '../../rows.ts';
import type { PgOrm } from '../database.ts';
import { OPEN, RUN_HEAD } from './columns.ts';

const count = sql<number>`count(*)::int`;

export class PgReportRepository implements ReportRepository {
  constructor(private readonly orm: PgOrm) {}

  async openSteps(): Promise<OpenStepRow[]> {
    const rows = await this.orm
      .select({
        runId: t.runs.id,
        chain: t.runs.chain,
        title: t.runs.title,
        runStatus: t.runs.status,
        severity: t.runs.severity,
        channelId: t.runs.channelId,
        threadTs: t.runs.threadTs,
        rootTs: t.runs.rootTs,
        runCreatedAt: t.runs.createdAt,
        blockedReason: t.runs.blockedReason,
        stepId: t.steps.id,
        stepKey: t.steps.key,
        stepTitle: t.steps.title,
        stepStatus: t.steps.status,
        owners: t.steps.owners,
        approvers: t.steps.approvers,
        assignees: t.steps.assignees,
        deliveries: t.steps.deliveries,
        startedAt: t.steps.startedAt,
        acknowledgedAt: t.steps.acknowledgedAt,
        blockReason: t.steps.blockReason,
        blockedBy: t.steps.blockedBy,
        blockedByRole: t.steps.blockedByRole,
      })
      .from(t.runs)
      .innerJoin(t.steps, and(eq(t.steps.runId, t.runs.id), inArray(t.steps.status, OPEN)))
      .where(inArray(t.runs.status, OPEN))
      .orderBy(asc(t.runs.createdAt), asc(t.runs.seq));
    return rows.map((r) => ({
      ...r,
      runStatus: r.runStatus as Run['status'],
      stepStatus: r.stepStatus as Step['status'],
    }));
  }

  private closedWhere(from: number, to: number, status?: Run['status'][]) {
    return and(
      gte(t.runs.closedAt, from),
      lt(t.runs.closedAt, to),
      status ? inArray(t.runs.status, status) : undefined,
    );
  }

  async closedRuns(
    from: number,
    to: number,
    status?: Run['status'][],
    limit = 1000,
  ): Promise<ClosedRunRow[]> {
    const rows = await this.orm
      .select({ ...RUN_HEAD, createdAt: t.runs.createdAt, closedAt: t.runs.closedAt })
      .from(t.runs)
      .where(this.closedWhere(from, to, status))
      .orderBy(desc(t.runs.closedAt), desc(t.runs.id))
      .limit(limit);
    return rows.map((r) => ({ ...r, status: r.status as Run['status'], closedAt: r.closedAt ?? 0 }));
  }

  async countClosed(from: number, to: number, status?: Run['status'][]): Promise<number> {
    const [row] = await this.orm
      .select({ n: count })
      .from(t.runs)
      .where(this.closedWhere(from, to, status));
    return row?.n ?? 0;
  }

  async chainStats(from: number | null, to: number | null): Promise<ChainStatsRow[]> {
    return this.orm
      .select({
        chain: t.runs.chain,
        closed: count,
        done: sql<number>`sum(case when ${t.runs.status} = 'done' then 1 else 0 end)::int`,
        avgDurationMs: sql<
          number | null
        >`avg(case when ${t.runs.status} = 'done' then ${t.runs.closedAt} - ${t.runs.createdAt} end)::float8`,
      })
      .from(t.runs)
      .where(
        and(
          inArray(t.runs.status, [...CLOSED_RUN_STATUSES]),
          from !== null ? gte(t.runs.closedAt, from) : undefined,
          to !== null ? lt(t.runs.closedAt, to) : undefined,
        ),
      )
      .groupBy(t.runs.chain)
      .orderBy(asc(t.runs.chain));
  }

  async openCounts(): Promise<Map<string, number>> {
    const rows = await this.orm
      .select({ chain: t.runs.chain, n: count })
      .from(t.runs)
      .where(inArray(t.runs.status, OPEN))
      .groupBy(t.runs.chain);
    return new Map(rows.map((r) => [r.chain, r.n]));
  }

  async restoreTimes(
    chain: string,
    stepKey: string,
    severities: string[],
    from: number | null,
    to: number | null,
  ) {
    const rows = await this.orm
      .select({
        severity: t.runs.severity,
        count,
        avgMs: sql<number>`avg(${t.steps.completedAt} - ${t.runs.createdAt})::float8`,
      })
      .from(t.runs)
      .innerJoin(t.steps, and(eq(t.steps.runId, t.runs.id), eq(t.steps.key, stepKey)))
      .where(
        and(
          eq(t.runs.chain, chain),
          inArray(t.runs.severity, severities),
          eq(t.steps.status, 'done'),
          from !== null ? gte(t.steps.completedAt, from) : undefined,
          to !== null ? lt(t.steps.completedAt, to) : undefined,
        ),
      )
      .groupBy(t.runs.severity);
    return new Map(rows.map((r) => [r.severity ?? '', { count: r.count, avgMs: r.avgMs }]));
  }

  private async rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
    return (await this.orm.execute(query)).rows as T[];
  }

  async chainDetails(from: number | null, to: number | null): Promise<ChainDetailRow[]> {
    const lo = from ?? Number.MIN_SAFE_INTEGER;
    const hi = to ?? Number.MAX_SAFE_INTEGER;
    const started = await this.rows<{ chain: string; n: number }>(
      sql`select chain, count(*)::int as n from runs where created_at >= ${lo} and created_at < ${hi} group by chain`,
    );
    // Nearest rank: the smallest duration with at least 90% of the durations at or below it.
    const p90 = await this.rows<{ chain: string; ms: number }>(sql`
      with d as (
        select chain, closed_at - created_at as ms,
          row_number() over (partition by chain order by closed_at - created_at) as rn,
          count(*) over (partition by chain) as n
        from runs where status = 'done' and closed_at >= ${lo} and closed_at < ${hi}
      )
      select chain, min(ms)::float8 as ms from d where rn * 10 >= n * 9 group by chain`);
    const out = new Map<string, ChainDetailRow>();
    for (const r of started) out.set(r.chain, { chain: r.chain, started: r.n, p90DurationMs: null });
    for (const r of p90) {
      const row = out.get(r.chain) ?? { chain: r.chain, started: 0, p90DurationMs: null };
      row.p90DurationMs = r.ms;
      out.set(r.chain, row);
    }
    return [...out.values()].sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
  }

  async doneDurations(from: number, to: number) {
    return this.rows<{ chain: string; closedAt: number; durationMs: number }>(sql`
      select chain, closed_at::float8 as "closedAt", (closed_at - created_at)::float8 as "durationMs" from runs
      where status = 'done' and closed_at >= ${from} and closed_at < ${to}
      order by closed_at, id`);
  }

  async stepStats(from: number | null, to: number | null): Promise<StepStatsRow[]> {
    const lo = from ?? Number.MIN_SAFE_INTEGER;
    const hi = to ?? Number.MAX_SAFE_INTEGER;
    const waits = await this.rows<{ chain: string; key: string; n: number; ms: number }>(sql`
      select r.chain as chain, s.key as key, count(*)::int as n,
        avg(s.completed_at - s.started_at)::float8 as ms
      from steps s join runs r on r.id = s.run_id
      where s.status = 'done' and s.started_at is not null
        and s.completed_at >= ${lo} and s.completed_at < ${hi}
      group by r.chain, s.key`);
    const blocks = await this.rows<{ chain: string; key: string; n: number }>(sql`
      select r.chain as chain, e.step_key as key, count(*)::int as n
      from events e join runs r on r.id = e.run_id
      where e.type in ('step_blocked', 'gate_failed') and e.step_key is not null
        and e.at >= ${lo} and e.at < ${hi}
      group by r.chain, e.step_key`);
    const escalations = await this.rows<{ chain: string; key: string; n: number }>(sql`
      select r.chain as chain, e.step_key as key, count(*)::int as n
      from events e join runs r on r.id = e.run_id
      where e.type = 'timer_fired' and e.step_key is not null
        and e.data->>'kind' in ('ack_escalation', 'done_escalation')
        and e.data->>'skipped' is null
        and e.at >= ${lo} and e.at < ${hi}
      group by r.chain, e.step_key`);
    const titles = await this.rows<{ chain: string; key: string; title: string }>(sql`
      select r.chain as chain, s.key as key, max(s.title) as title
      from steps s join runs r on r.id = s.run_id group by r.chain, s.key`);
    return stepStatsRows(waits, blocks, escalations, titles);
  }
}
