// AlertRepository on SQLite: monitoring alerts' problems and the incidents they opened.
import { and, desc, eq } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { AlertGroupRow, AlertRepository } from '../../ports.ts';
import type { Orm } from '../database.ts';

type Row = typeof t.alertGroups.$inferSelect;

const toRow = (r: Row): AlertGroupRow => ({ ...r, status: r.status as AlertGroupRow['status'] });

export class SqliteAlertRepository implements AlertRepository {
  constructor(private readonly orm: Orm) {}

  /** `lock` needs nothing here: a SQLite write transaction has the database to itself. */
  async latest(source: string, dedupKey: string, _lock = false): Promise<AlertGroupRow | null> {
    const row = this.orm
      .select()
      .from(t.alertGroups)
      .where(and(eq(t.alertGroups.source, source), eq(t.alertGroups.dedupKey, dedupKey)))
      .orderBy(desc(t.alertGroups.id))
      .limit(1)
      .get();
    return row ? toRow(row) : null;
  }

  async insert(row: Omit<AlertGroupRow, 'id'>): Promise<number> {
    const res = this.orm.insert(t.alertGroups).values(row).returning({ id: t.alertGroups.id }).get();
    return res.id;
  }

  async update(
    id: number,
    patch: Partial<Omit<AlertGroupRow, 'id' | 'source' | 'dedupKey' | 'runId'>>,
  ): Promise<void> {
    if (Object.keys(patch).length === 0) return;
    this.orm.update(t.alertGroups).set(patch).where(eq(t.alertGroups.id, id)).run();
  }

  async forRun(runId: string): Promise<AlertGroupRow[]> {
    return this.orm
      .select()
      .from(t.alertGroups)
      .where(eq(t.alertGroups.runId, runId))
      .orderBy(t.alertGroups.id)
      .all()
      .map(toRow);
  }
}
