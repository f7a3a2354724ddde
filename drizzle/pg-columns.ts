// Column helpers for the PostgreSQL schema (schema.pg.ts), so every table spells a kind of
// value the same way: epoch-millisecond times, JSON, counts and generated ids.
import { bigint, integer, jsonb as pgJsonb } from 'drizzle-orm/pg-core';

/** Epoch milliseconds: past 2^31, so `bigint`, read back as a JS number. */
export const ms = (name: string) => bigint(name, { mode: 'number' });

/** A JSON value, stored as `jsonb`. */
export const jsonb = <T>(name: string) => pgJsonb(name).$type<T>();

/** A small whole number: a count, a version, an index, another table's generated id. */
export const count = (name: string) => integer(name);

/** A generated primary key that copies (`db copy`) may also set explicitly. */
export const serialId = (name: string) => integer(name).primaryKey().generatedByDefaultAsIdentity();
