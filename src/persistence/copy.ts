// `projectlead db copy --to postgres://…`: every table of the SQLite database DATABASE_URL names,
// copied into an empty PostgreSQL database in one pass. The source is read in one read
// transaction (one consistent snapshot, while the bot may still write), the target written in
// one transaction (all of it, or nothing), generated ids carried over and the target's identity
// sequences moved past them. Then both sides are counted, table by table.
import { getTableName, is, sql, Table } from 'drizzle-orm';
import { type PgTable, getTableConfig as pgConfig } from 'drizzle-orm/pg-core';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as pgSchema from '../../drizzle/schema.pg.ts';
import * as sqliteSchema from '../../drizzle/schema.ts';
import { ConfigError } from '../errors.ts';
import { backendOf } from './open.ts';
import { openPgDatabase, type PgOrm } from './postgres/database.ts';
import { openDatabase } from './sqlite/database.ts';
import { TableCodec } from './sqlite/table-codec.ts';

export interface CopyResult {
  source: string;
  target: string;
  /** Rows per table, counted on both sides after the copy. */
  tables: { table: string; source: number; target: number }[];
}

/** Rows read and written at a time. */
const BATCH = 500;

function tablesOf<T extends Table>(schema: Record<string, unknown>): Map<string, T> {
  const out = new Map<string, T>();
  for (const v of Object.values(schema)) if (is(v, Table)) out.set(getTableName(v), v as T);
  return out;
}

/** Tables in an order that inserts every referenced row before the rows referring to it. */
function insertOrder(tables: Map<string, PgTable>): string[] {
  const order: string[] = [];
  const visit = (name: string, path: Set<string>) => {
    if (order.includes(name) || path.has(name)) return;
    path.add(name);
    for (const fk of pgConfig(tables.get(name)!).foreignKeys)
      visit(getTableName(fk.reference().foreignTable), path);
    order.push(name);
  };
  for (const name of [...tables.keys()].sort()) visit(name, new Set());
  return order;
}

/** The backend a URL names; null for one ProjectLead cannot use (the refusal then names --to). */
function backendOrNull(url: string): ReturnType<typeof backendOf> | null {
  try {
    return backendOf(url);
  } catch {
    return null;
  }
}

export async function copySqliteToPostgres(sourceUrl: string, targetUrl: string): Promise<CopyResult> {
  if (backendOf(sourceUrl) !== 'sqlite' || backendOrNull(targetUrl) !== 'postgres')
    throw new ConfigError(
      'copy_bad_target',
      'db copy copies the SQLite database DATABASE_URL names into a PostgreSQL one: --to postgres://…',
    );
  const source = openDatabase(sourceUrl, { backgroundCheckpoints: false });
  const target = await openPgDatabase(targetUrl);
  try {
    const sqliteTables = tablesOf<SQLiteTable>(sqliteSchema);
    const pgTables = tablesOf<PgTable>(pgSchema);
    const names = insertOrder(pgTables).filter((n) => sqliteTables.has(n));
    const filled: string[] = [];
    for (const name of names) {
      const { rows } = await target.pool.query(`SELECT EXISTS (SELECT 1 FROM "${name}") AS any`);
      if (rows[0]?.any) filled.push(name);
    }
    if (filled.length > 0)
      throw new ConfigError(
        'copy_target_not_empty',
        `The target database already holds data (${filled.join(', ')}); db copy only fills an empty one.`,
      );
    const counts = new Map<string, number>();
    // One snapshot of the source: a read transaction holds it while the bot writes on.
    source.sqlite.exec('BEGIN');
    try {
      await target.orm.transaction(async (tx) => {
        for (const name of names)
          counts.set(
            name,
            await copyTable(
              source.sqlite,
              sqliteTables.get(name)!,
              tx as unknown as PgOrm,
              pgTables.get(name)!,
            ),
          );
      });
    } finally {
      source.sqlite.exec('COMMIT');
    }
    const tables: CopyResult['tables'] = [];
    for (const name of names) {
      const { rows } = await target.pool.query(`SELECT count(*)::int AS n FROM "${name}"`);
      tables.push({ table: name, source: counts.get(name) ?? 0, target: Number(rows[0]?.n ?? 0) });
    }
    const wrong = tables.filter((t) => t.source !== t.target);
    if (wrong.length > 0)
      throw new ConfigError(
        'copy_mismatch',
        `The copy does not hold the same rows as the source: ${wrong.map((t) => `${t.table} ${t.source} → ${t.target}`).join(', ')}.`,
      );
    return { source: source.path, target: target.location, tables };
  } finally {
    source.close();
    await target.close();
  }
}

/** Copy one table in batches by rowid; returns how many rows the source held. */
async function copyTable(
  sqlite: ReturnType<typeof openDatabase>['sqlite'],
  from: SQLiteTable,
  tx: PgOrm,
  to: PgTable,
): Promise<number> {
  const codec = new TableCodec<Record<string, unknown>>(from);
  const page = sqlite.prepare(
    `SELECT rowid AS "__rowid", * FROM "${codec.name}" WHERE rowid > ? ORDER BY rowid LIMIT ?`,
  );
  let last = 0;
  let total = 0;
  for (;;) {
    const raw = page.all(last, BATCH) as Record<string, unknown>[];
    if (raw.length === 0) break;
    last = Number(raw.at(-1)!.__rowid);
    total += raw.length;
    await tx.insert(to).values(raw.map((r) => codec.decode(r)) as never);
  }
  // Generated ids were copied as they were: the next one comes after the highest.
  if (pgConfig(to).columns.some((c) => c.name === 'id' && c.generatedIdentity))
    await tx.execute(
      sql.raw(
        `SELECT setval(pg_get_serial_sequence('"${codec.name}"', 'id'), coalesce((SELECT max("id") FROM "${codec.name}"), 0) + 1, false)`,
      ),
    );
  return total;
}
