// ReportRepository on SQLite: digest and metrics aggregates computed in SQL, so a weekly digest
// stays fast over 100k runs and 1M events.
import { and, asc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import { CLOSED_RUN_STATUSES, type Run, type Step } from '../../../domain/types.ts';
import type { ChainStatsRow, ClosedRunRow, OpenStepRow, ReportRepository } from '../../ports.ts';
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
}
