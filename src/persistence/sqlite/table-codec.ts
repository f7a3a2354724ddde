// Prepared statements for the hot paths, derived from the drizzle schema (still the single
// source of truth): column names and JSON/boolean encoding come from the table's columns.
// Drizzle builds and prepares SQL on every call; a transition runs a dozen statements, so the
// engine prepares each once per connection and reuses it.
import type BetterSqlite3 from 'better-sqlite3';
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';

export class TableCodec<Row extends Record<string, unknown>> {
  readonly name: string;
  private readonly columns: [string, SQLiteColumn][];

  constructor(table: SQLiteTable) {
    this.name = getTableName(table);
    this.columns = Object.entries(getTableColumns(table)) as [string, SQLiteColumn][];
  }

  /** Bind parameters (`@camelKey`) for an object, encoded as the column stores it. */
  encode(obj: Partial<Row>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, col] of this.columns) {
      const v = obj[key];
      if (v === undefined) continue;
      out[key] = v === null ? null : col.mapToDriverValue(v);
    }
    return out;
  }

  decode(raw: Record<string, unknown>): Row {
    return this.fromValues((col) => raw[col.name]);
  }

  /**
   * `json_array(alias."col", …)`: a row as one JSON array, every column in order, JSON columns
   * nested as JSON (not as text). `decodeArray` reads it back.
   */
  jsonArraySql(alias: string): string {
    const cells = this.columns.map(([, c]) =>
      c.columnType === 'SQLiteTextJson' ? `json(${alias}."${c.name}")` : `${alias}."${c.name}"`,
    );
    return `json_array(${cells.join(', ')})`;
  }

  /**
   * A row from `jsonArraySql`, parsed. One JSON text per read costs SQLite and V8 far less than
   * a value per column, and the JSON columns come parsed with it.
   */
  decodeArray(values: unknown[]): Row {
    return this.fromValues((_, i) => values[i], true);
  }

  /** A row from each column's stored value; `nestedJson`: JSON columns are parsed already. */
  private fromValues(stored: (col: SQLiteColumn, i: number) => unknown, nestedJson = false): Row {
    const out: Record<string, unknown> = {};
    this.columns.forEach(([key, col], i) => {
      const v = stored(col, i);
      out[key] =
        v === null || v === undefined
          ? null
          : nestedJson && col.columnType === 'SQLiteTextJson'
            ? v
            : col.mapFromDriverValue(v);
    });
    return out as Row;
  }

  /** `INSERT INTO t (cols) VALUES (@keys)` over the given keys (default: all but autoincrement id). */
  insertSql(
    keys: string[] = this.columns
      .filter(([, c]) => !(c.primary && c.columnType === 'SQLiteInteger'))
      .map(([k]) => k),
  ): string {
    const cols = keys.map((k) => this.column(k).name);
    return `INSERT INTO "${this.name}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`;
  }

  /** `UPDATE t SET col = @key, … WHERE <where>` for every column but the excluded ones. */
  updateSql(exclude: string[], where: string): string {
    const sets = this.columns.filter(([k]) => !exclude.includes(k)).map(([k, c]) => `"${c.name}" = @${k}`);
    return `UPDATE "${this.name}" SET ${sets.join(', ')} WHERE ${where}`;
  }

  column(key: string): SQLiteColumn {
    const c = this.columns.find(([k]) => k === key)?.[1];
    if (!c) throw new Error(`${this.name} has no column ${key}`);
    return c;
  }
}

/** Statements prepared once per connection, on first use. */
export class StatementCache {
  private readonly cache = new Map<string, BetterSqlite3.Statement>();
  constructor(private readonly db: BetterSqlite3.Database) {}

  get(sql: string): BetterSqlite3.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }
}

const caches = new WeakMap<object, StatementCache>();

/** The statement cache of the connection an orm runs on. */
export function statements(orm: { $client: BetterSqlite3.Database }): StatementCache {
  let c = caches.get(orm.$client);
  if (!c) {
    c = new StatementCache(orm.$client);
    caches.set(orm.$client, c);
  }
  return c;
}
