// SQLite's planner, without statistics, guesses: a statement filtering on a step's (or a run's)
// timers and their status could walk every pending timer of every run through `timers_due`.
// These statements run on every transition; each must find its rows by their own index.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/persistence/sqlite/database.ts';
import { TIMER_SQL } from '../../src/persistence/sqlite/repositories/timers.ts';

describe('the query plans of the timers’ hot statements', () => {
  const db = openDatabase(':memory:');
  const plan = (sql: string, ...params: unknown[]) =>
    (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
      .map((r) => r.detail)
      .join(' | ');

  it.each([
    ['cancelling the timers of some steps', 'timers_step', TIMER_SQL.cancelStepTimers, ['[1,2]']],
    ['the pending timers of some runs', 'timers_run', TIMER_SQL.pendingOfRuns, ['["A-1"]']],
    [
      'the latest due timer of some steps',
      'timers_step',
      TIMER_SQL.latestDue,
      [{ steps: '[1]', kind: 'done_due' }],
    ],
  ])('when %s, then by %s', (_what, index, sql, params) => {
    const detail = plan(sql, ...params);
    expect(detail).toContain(`INDEX ${index}`);
    expect(detail).not.toContain('timers_due');
  });
});
