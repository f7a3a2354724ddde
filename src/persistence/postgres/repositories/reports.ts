// ReportRepository on PostgreSQL: digest and metrics aggregates computed in SQL; counts, sums
// and averages come back as numbers (see database.ts).
import { and, asc, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.pg.ts';
import { CLOSED_RUN_STATUSES, type Run, type Step } from '../../../domain/types.ts';
import type { ChainStatsRow, ClosedRunRow, OpenStepRow, ReportRepository } from '../../ports.ts';
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
}
