// The named statements of PostgreSQL's hot path (src/persistence/postgres/statements.ts): a name
// stands for one text for the life of the process (a connection caches a statement by its name,
// so a second text under it would run the first), and JSON parameters carry rows keyed by column.
import { describe, expect, it } from 'vitest';
import * as t from '../../drizzle/schema.pg.ts';
import { columnsOf, recordOf, recordsParam, statement } from '../../src/persistence/postgres/statements.ts';

describe('named statements', () => {
  it('when a name is defined again with the same text, then it is the same statement', () => {
    const a = statement('test_same', 'SELECT 1');
    expect(statement('test_same', 'SELECT 1')).toEqual(a);
  });

  it('when a name is defined again with another text, then it is refused', () => {
    statement('test_twice', 'SELECT 1');
    expect(() => statement('test_twice', 'SELECT 2')).toThrow(/test_twice defined twice/);
  });

  it('when rows become a JSON parameter, then they are keyed by column name, missing values null', () => {
    const cols = columnsOf(t.events).filter(([key]) => key !== 'id');
    const json = recordsParam(cols, [
      { runId: 'INC-1', at: 5, actor: 'U1', type: 'step_done', data: { a: [1, 2] } },
    ]);
    expect(JSON.parse(json)).toEqual([
      { run_id: 'INC-1', at: 5, actor: 'U1', type: 'step_done', step_key: null, data: { a: [1, 2] } },
    ]);
    expect(recordOf(cols)).toBe(
      '"run_id" text, "at" bigint, "actor" text, "type" text, "step_key" text, "data" jsonb',
    );
  });
});
