// SQLite's planner, without statistics, guesses: a statement filtering on some steps' (or runs')
// timers and on their status could walk every pending timer of every run, or every timer ever
// fired, through `timers_due`. These run on every transition or every fired reminder; each must
// find its rows by its own index. The statements are the ones the repositories really prepare.
import { describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/persistence/ports.ts';
import { openDatabase } from '../../src/persistence/sqlite/database.ts';
import { sqliteRepositories } from '../../src/persistence/sqlite/repositories/index.ts';

/** The plans of the timers statements a repository call prepares (on a fresh connection). */
async function plansOf(call: (repos: Repositories) => Promise<unknown>): Promise<string[]> {
  const db = openDatabase(':memory:');
  const prepare = db.sqlite.prepare.bind(db.sqlite);
  const seen: string[] = [];
  db.sqlite.prepare = ((source: string) => {
    seen.push(source);
    return prepare(source);
  }) as typeof db.sqlite.prepare;
  await call(sqliteRepositories(db.orm));
  db.sqlite.prepare = prepare;
  const plans = seen
    .filter((s) => /"timers"/.test(s))
    .map((s) => {
      const params = (s.match(/\?/g) ?? []).map(() => null);
      const named = Object.fromEntries([...s.matchAll(/@(\w+)/g)].map((m) => [m[1], '[]']));
      const explain = prepare(`EXPLAIN QUERY PLAN ${s}`);
      const rows = (Object.keys(named).length > 0 ? explain.all(named) : explain.all(...params)) as {
        detail: string;
      }[];
      return rows.map((r) => r.detail).join(' | ');
    });
  db.close();
  return plans;
}

describe('the query plans of the timers’ hot statements', () => {
  it.each([
    [
      'cancelling the timers of some steps',
      'timers_step',
      (r: Repositories) => r.timers.cancelForSteps([1, 2]),
    ],
    [
      'cancelling the timers of some kinds of some steps',
      'timers_step',
      (r: Repositories) => r.timers.cancelForSteps([1, 2], ['ack_due']),
    ],
    [
      'the latest due timer of some steps',
      'timers_step',
      (r: Repositories) => r.timers.latestDue([1], 'done_due'),
    ],
    ['the pending timers of some runs', 'timers_run', (r: Repositories) => r.timers.pendingForRuns(['A-1'])],
    [
      'counting the reminders fired for some steps',
      'timers_step',
      (r: Repositories) => r.clock.firedCount([1, 2], ['reminder'], []),
    ],
  ])('when %s, then by %s', async (_what, index, call) => {
    const plans = await plansOf(call);
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) {
      expect(plan).toContain(`INDEX ${index}`);
      expect(plan).not.toContain('timers_due');
    }
  });
});
