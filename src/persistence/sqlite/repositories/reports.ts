// ReportRepository on SQLite: digest and metrics aggregates computed in SQL, so a weekly digest
// stays fast over 100k runs and 1M events.
import { and, asc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
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
import type { Orm } from '../database.ts';
import { OPEN, RUN_HEAD } from './columns.ts';

export class SqliteReportRepository implements ReportRepository {
  constructor(private readonly orm: Orm) {}

  async openSteps(): Promise<OpenStepRow[]> {
    const rows = this.orm
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
      .orderBy(asc(t.runs.createdAt), asc(t.runs.seq))
      .all();
    return rows.map((r) => ({
      ...r,
      runStatus: r.runStatus as Run['status'],
      stepStatus: r.stepStatus as Step['status'],
    }));
  }

  private closedWhere(from: number, to: number, status?: Run['status'][]) {
    const where = [gte(t.runs.closedAt, from), lt(t.runs.closedAt, to)];
    if (status) where.push(inArray(t.runs.status, status));
    return and(...where);
  }

  async closedRuns(
    from: number,
    to: number,
    status?: Run['status'][],
    limit = 1000,
  ): Promise<ClosedRunRow[]> {
    const rows = this.orm
      .select({
        ...RUN_HEAD,
        createdAt: t.runs.createdAt,
        closedAt: t.runs.closedAt,
      })
      .from(t.runs)
      .where(this.closedWhere(from, to, status))
      .orderBy(sql`${t.runs.closedAt} desc`, sql`${t.runs.id} desc`)
      .limit(limit)
      .all();
    return rows.map((r) => ({ ...r, status: r.status as Run['status'], closedAt: r.closedAt ?? 0 }));
  }

  async countClosed(from: number, to: number, status?: Run['status'][]): Promise<number> {
    return (
      this.orm
        .select({ n: sql<number>`count(*)` })
        .from(t.runs)
        .where(this.closedWhere(from, to, status))
        .get()?.n ?? 0
    );
  }

  async chainStats(from: number | null, to: number | null): Promise<ChainStatsRow[]> {
    const where = [inArray(t.runs.status, [...CLOSED_RUN_STATUSES])];
    if (from !== null) where.push(gte(t.runs.closedAt, from));
    if (to !== null) where.push(lt(t.runs.closedAt, to));
    return this.orm
      .select({
        chain: t.runs.chain,
        closed: sql<number>`count(*)`,
        done: sql<number>`sum(case when ${t.runs.status} = 'done' then 1 else 0 end)`,
        avgDurationMs: sql<
          number | null
        >`avg(case when ${t.runs.status} = 'done' then ${t.runs.closedAt} - ${t.runs.createdAt} end)`,
      })
      .from(t.runs)
      .where(and(...where))
      .groupBy(t.runs.chain)
      .orderBy(asc(t.runs.chain))
      .all();
  }

  async openCounts(): Promise<Map<string, number>> {
    const rows = this.orm
      .select({ chain: t.runs.chain, n: sql<number>`count(*)` })
      .from(t.runs)
      .where(inArray(t.runs.status, OPEN))
      .groupBy(t.runs.chain)
      .all();
    return new Map(rows.map((r) => [r.chain, r.n]));
  }

  async restoreTimes(
    chain: string,
    stepKey: string,
    severities: string[],
    from: number | null,
    to: number | null,
  ) {
    const where = [eq(t.runs.chain, chain), inArray(t.runs.severity, severities), eq(t.steps.status, 'done')];
    if (from !== null) where.push(gte(t.steps.completedAt, from));
    if (to !== null) where.push(lt(t.steps.completedAt, to));
    const rows = this.orm
      .select({
        severity: t.runs.severity,
        count: sql<number>`count(*)`,
        avgMs: sql<number>`avg(${t.steps.completedAt} - ${t.runs.createdAt})`,
      })
      .from(t.runs)
      .innerJoin(t.steps, and(eq(t.steps.runId, t.runs.id), eq(t.steps.key, stepKey)))
      .where(and(...where))
      .groupBy(t.runs.severity)
      .all();
    return new Map(rows.map((r) => [r.severity ?? '', { count: r.count, avgMs: r.avgMs }]));
  }

  async chainDetails(from: number | null, to: number | null): Promise<ChainDetailRow[]> {
    const lo = from ?? Number.MIN_SAFE_INTEGER;
    const hi = to ?? Number.MAX_SAFE_INTEGER;
    const started = this.orm.all<{ chain: string; n: number }>(
      sql`select chain, count(*) as n from runs where created_at >= ${lo} and created_at < ${hi} group by chain`,
    );
    // Nearest rank: the smallest duration with at least 90% of the durations at or below it.
    const p90 = this.orm.all<{ chain: string; ms: number }>(sql`
      with d as (
        select chain, closed_at - created_at as ms,
          row_number() over (partition by chain order by closed_at - created_at) as rn,
          count(*) over (partition by chain) as n
        from runs where status = 'done' and closed_at >= ${lo} and closed_at < ${hi}
      )
      select chain, min(ms) as ms from d where rn * 10 >= n * 9 group by chain`);
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
    return this.orm.all<{ chain: string; closedAt: number; durationMs: number }>(sql`
      select chain, closed_at as closedAt, closed_at - created_at as durationMs from runs
      where status = 'done' and closed_at >= ${from} and closed_at < ${to}
      order by closed_at, id`);
  }

  async stepStats(from: number | null, to: number | null): Promise<StepStatsRow[]> {
    const lo = from ?? Number.MIN_SAFE_INTEGER;
    const hi = to ?? Number.MAX_SAFE_INTEGER;
    const waits = this.orm.all<{ chain: string; key: string; n: number; ms: number }>(sql`
      select r.chain as chain, s.key as key, max(s.title) as title, count(*) as n,
        avg(s.completed_at - s.started_at) as ms
      from steps s join runs r on r.id = s.run_id
      where s.status = 'done' and s.started_at is not null
        and s.completed_at >= ${lo} and s.completed_at < ${hi}
      group by r.chain, s.key`);
    const blocks = this.orm.all<{ chain: string; key: string; n: number }>(sql`
      select r.chain as chain, e.step_key as key, count(*) as n
      from events e join runs r on r.id = e.run_id
      where e.type in ('step_blocked', 'gate_failed') and e.step_key is not null
        and e.at >= ${lo} and e.at < ${hi}
      group by r.chain, e.step_key`);
    const escalations = this.orm.all<{ chain: string; key: string; n: number }>(sql`
      select r.chain as chain, e.step_key as key, count(*) as n
      from events e join runs r on r.id = e.run_id
      where e.type = 'timer_fired' and e.step_key is not null
        and json_extract(e.data, '$.kind') in ('ack_escalation', 'done_escalation')
        and json_extract(e.data, '$.skipped') is null
        and e.at >= ${lo} and e.at < ${hi}
      group by r.chain, e.step_key`);
    const titles = this.orm.all<{ chain: string; key: string; title: string }>(sql`
      select r.chain as chain, s.key as key, max(s.title) as title
      from steps s join runs r on r.id = s.run_id group by r.chain, s.key`);
    return stepStatsRows(waits, blocks, escalations, titles);
  }
}
