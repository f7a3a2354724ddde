// AlertRepository on SQLite: monitoring alerts' problems and the incidents they opened.
import { eq } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { AlertGroupRow, AlertRepository } from '../../ports.ts';
import type { Orm } from '../database.ts';
import { statements, TableCodec } from '../table-codec.ts';

type Row = typeof t.alertGroups.$inferSelect;
const groupCodec = new TableCodec<Row>(t.alertGroups);

const SQL = {
  latest: 'SELECT * FROM "alert_groups" WHERE "source" = ? AND "dedup_key" = ? ORDER BY "id" DESC LIMIT 1',
};

/** `UPDATE alert_groups SET <these columns> WHERE id = @id`: each shape prepared once. */
const updateSql = (keys: string[]) =>
  `UPDATE "alert_groups" SET ${keys.map((k) => `"${groupCodec.column(k).name}" = @${k}`).join(', ')} WHERE "id" = @id`;

const toRow = (r: Row): AlertGroupRow => ({ ...r, status: r.status as AlertGroupRow['status'] });

export class SqliteAlertRepository implements AlertRepository {
  constructor(private readonly orm: Orm) {}

  /** `lock` needs nothing here: a SQLite write transaction has the database to itself. */
  async latest(source: string, dedupKey: string, _lock = false): Promise<AlertGroupRow | null> {
    const raw = statements(this.orm).get(SQL.latest).get(source, dedupKey) as
      | Record<string, unknown>
      | undefined;
    return raw ? toRow(groupCodec.decode(raw)) : null;
  }

  async insert(row: Omit<AlertGroupRow, 'id'>): Promise<number> {
    const res = this.orm.insert(t.alertGroups).values(row).returning({ id: t.alertGroups.id }).get();
    return res.id;
  }

  async update(
    id: number,
    patch: Partial<Omit<AlertGroupRow, 'id' | 'source' | 'dedupKey' | 'runId'>>,
  ): Promise<void> {
    const values = groupCodec.encode(patch);
    const keys = Object.keys(values);
    if (keys.length === 0) return;
    statements(this.orm)
      .get(updateSql(keys))
      .run({ ...values, id });
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
