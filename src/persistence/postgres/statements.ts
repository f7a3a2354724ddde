// The hot path's SQL on PostgreSQL, as statements whose text never changes: each runs by name,
// so a connection parses and plans it once and then only binds values, and nothing builds SQL
// per call. Variable-length parts (a save's steps, a batch of events or messages) travel as one
// JSON parameter that the statement unpacks with `jsonb_to_recordset`. The column lists come
// from the drizzle schema, so the text follows the schema.
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';

/** The pool (a read on any free connection) or one transaction's connection. */
export type PgQueryable = pg.Pool | pg.PoolClient;

export interface Statement {
  readonly name: string;
  readonly text: string;
}

const names = new Map<string, string>();

/** A named statement: one name, one text, for the life of the process. */
export function statement(name: string, text: string): Statement {
  const known = names.get(name);
  if (known !== undefined && known !== text) throw new Error(`statement ${name} defined twice`);
  names.set(name, text);
  return { name: `pl_${name}`, text };
}

/** Runs a named statement with its values. */
export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  db: PgQueryable,
  s: Statement,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  return db.query<R>({ name: s.name, text: s.text, values });
}

/** A table's columns as [property, column], in schema order. */
export function columnsOf(table: PgTable): [string, PgColumn][] {
  return Object.entries(getTableColumns(table)) as [string, PgColumn][];
}

/** `"column" AS "property"` for each column: rows come back in drizzle's shape. */
export function selectList(table: PgTable, alias: string): string {
  return columnsOf(table)
    .map(([key, col]) => `${alias}."${col.name}" AS "${key}"`)
    .join(', ');
}

/** The quoted table name. */
export const tableName = (table: PgTable) => `"${getTableName(table)}"`;

/** `"column" type, …`: the record a `jsonb_to_recordset` row is read as. */
export function recordOf(columns: [string, PgColumn][]): string {
  return columns.map(([, col]) => `"${col.name}" ${col.getSQLType()}`).join(', ');
}

/** A JSON parameter: rows keyed by column name, values as the columns store them. */
export function recordsParam(columns: [string, PgColumn][], rows: Record<string, unknown>[]): string {
  return JSON.stringify(
    rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const [key, col] of columns) {
        const v = row[key];
        out[col.name] = v === undefined ? null : v;
      }
      return out;
    }),
  );
}

/** A value bound to a `$n::type` parameter: JSON columns as JSON text, the rest as they are. */
export function param(col: PgColumn, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  return col.getSQLType() === 'jsonb' ? JSON.stringify(v) : v;
}
