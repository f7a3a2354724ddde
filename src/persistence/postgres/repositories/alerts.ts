// AlertRepository on PostgreSQL: monitoring alerts' problems and the incidents they opened.
import { and, desc, eq } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.pg.ts';
import type { AlertGroupRow, AlertRepository } from '../../ports.ts';
import type { PgOrm } from '../database.ts';

type Row = typeof t.alertGroups.$inferSelect;

const toRow = (r: Row): AlertGroupRow => ({ ...r, status: r.status as AlertGroupRow['status'] });

export class PgAlertRepository implements AlertRepository {
  constructor(private readonly orm: PgOrm) {}

  async latest(source: string, dedupKey: string, lock = false): Promise<AlertGroupRow | null> {
    const query = this.orm
      .select()
      .from(t.alertGroups)
      .where(and(eq(t.alertGroups.source, source), eq(t.alertGroups.dedupKey, dedupKey)))
      .orderBy(desc(t.alertGroups.id))
      .limit(1);
    const [row] = lock ? await query.for('update') : await query;
    return row ? toRow(row) : null;
  }

  async insert(row: Omit<AlertGroupRow, 'id'>): Promise<number> {
    const [res] = await this.orm.insert(t.alertGroups).values(row).returning({ id: t.alertGroups.id });
    return res!.id;
  }

  async update(
    id: number,
    patch: Partial<Omit<AlertGroupRow, 'id' | 'source' | 'dedupKey' | 'runId'>>,
  ): Promise<void> {
    if (Object.keys(patch).length === 0) return;
    await this.orm.update(t.alertGroups).set(patch).where(eq(t.alertGroups.id, id));
  }

  async forRun(runId: string): Promise<AlertGroupRow[]> {
    const rows = await this.orm
      .select()
      .from(t.alertGroups)
      .where(eq(t.alertGroups.runId, runId))
      .orderBy(t.alertGroups.id);
    return rows.map(toRow);
  }
}
