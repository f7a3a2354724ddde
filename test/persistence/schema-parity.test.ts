// drizzle keeps one schema per dialect: drizzle/schema.ts (SQLite) and drizzle/schema.pg.ts
// (PostgreSQL). They must define the same tables, columns (names, nullability, keys, defaults
// or not) and indexes (names, columns, uniqueness), or a repository would read different data
// on each backend and `db copy` would lose some.
import { getTableName, is, Table } from 'drizzle-orm';
import { type PgTable, getTableConfig as pgConfig } from 'drizzle-orm/pg-core';
import { type SQLiteTable, getTableConfig as sqliteConfig } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pgSchema from '../../drizzle/schema.pg.ts';
import * as sqliteSchema from '../../drizzle/schema.ts';

type Config = ReturnType<typeof pgConfig> | ReturnType<typeof sqliteConfig>;

/** A dialect-free description of a table: what both schemas must agree on. */
function shape(config: Config) {
  const primary = new Set([
    ...config.columns.filter((c) => c.primary).map((c) => c.name),
    ...config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)),
  ]);
  return {
    columns: Object.fromEntries(
      config.columns.map((c) => [
        c.name,
        // A generated key is a default in one dialect and not in the other: keys compare as keys.
        {
          notNull: c.notNull,
          primary: primary.has(c.name),
          hasDefault: !primary.has(c.name) && c.hasDefault,
        },
      ]),
    ),
    indexes: Object.fromEntries(
      config.indexes.map((i) => [
        i.config.name,
        { unique: i.config.unique, on: i.config.columns.map((c) => (c as { name: string }).name) },
      ]),
    ),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const r = fk.reference();
        return `${r.columns.map((c) => c.name).join(',')} → ${getTableName(r.foreignTable)}(${r.foreignColumns.map((c) => c.name).join(',')})`;
      })
      .sort(),
  };
}

function tables<T extends Table>(schema: Record<string, unknown>): Map<string, T> {
  const out = new Map<string, T>();
  for (const v of Object.values(schema)) if (is(v, Table)) out.set(getTableName(v), v as T);
  return out;
}

describe('the SQLite and PostgreSQL schemas', () => {
  const sqlite = tables<SQLiteTable>(sqliteSchema);
  const pg = tables<PgTable>(pgSchema);

  it('when compared, then both define the same tables', () => {
    expect([...pg.keys()].sort()).toEqual([...sqlite.keys()].sort());
    expect(sqlite.size).toBeGreaterThan(10);
  });

  it('when compared table by table, then columns, keys and indexes agree', () => {
    for (const [name, table] of sqlite) {
      const other = pg.get(name);
      if (!other) continue;
      expect({ table: name, ...shape(pgConfig(other)) }).toEqual({
        table: name,
        ...shape(sqliteConfig(table)),
      });
    }
  });
});
