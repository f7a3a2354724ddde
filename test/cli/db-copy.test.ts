// `projectlead db copy --to postgres://…`: a populated SQLite database copied into an empty
// PostgreSQL one gives the same `runs --json`, prints the rows counted on both sides, carries
// the run numbers and generated ids on, and refuses a target that holds anything.
import { describe, expect, it } from 'vitest';
import { openPgDatabase } from '../../src/persistence/postgres/database.ts';
import { PgStore } from '../../src/persistence/postgres/store.ts';
import { cli } from '../support/cli.ts';
import { createTestEngine, tempDbPath, userFor } from '../support/engine.ts';
import { describePostgres, emptyPostgresDatabase, freshPostgresDatabase } from '../support/postgres.ts';

/** A SQLite file with runs at several stages, their events, timers, outbox rows and roles. */
async function populated(): Promise<string> {
  const path = tempDbPath('copy');
  const e = await createTestEngine({ path });
  const { run } = await e.runs.startRun({
    chain: 'incident',
    title: 'API down',
    text: 'API down',
    requester: 'UREQ',
    severity: 'sev1',
    channelId: 'C1',
  });
  await e.runs.completeStep(run.id, await e.as(userFor('OpsCommander')), { output: '5xx on /api' });
  for (const title of ['Dark mode', 'Export to CSV'])
    await e.runs.startRun({ chain: 'feature', title, text: title, requester: 'UREQ', channelId: 'C2' });
  await e.store.transaction(async (r) => {
    await r.usergroups.set('S1', ['UA', 'UB'], e.clock.ms);
    await r.corrections.insert({ text: 'x', chain: 'bug', predicted: 'feature', actor: 'UA', createdAt: 1 });
    await r.settings.set('workspace_url', 'https://example.slack.com/', e.clock.ms);
    // The agents' and the alerts' tables too.
    const token = await r.apiTokens.insert(
      { name: 'ci', tokenHash: 'h1', userId: 'UA', kind: 'user' },
      e.clock.ms,
    );
    await r.apiRequests.claim(token, 'key-1', 'POST /api/v1/requests', e.clock.ms);
    await r.webhooks.insert(
      { url: 'https://agent.example/hook', secret: 'whsec_x', userId: null, owner: 'UA' },
      e.clock.ms,
    );
    await r.alerts.insert({
      source: 'generic',
      dedupKey: 'k',
      runId: run.id,
      status: 'firing',
      received: 1,
      firing: 1,
      firstAt: e.clock.ms,
      lastAt: e.clock.ms,
      resolvedAt: null,
      lastLineAt: null,
      latest: { title: 'x' },
    });
  });
  await e.close();
  return path;
}

describe('db copy', () => {
  it('when the target is not a PostgreSQL URL, or the arguments are wrong, then it is refused and says how', async () => {
    const path = tempDbPath('copy-bad');
    const bad = await cli(['db', 'copy', '--to', tempDbPath('other')], { DATABASE_URL: path });
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--to postgres:\/\//);
    // A URL of a database ProjectLead cannot use at all: the refusal is about --to, not DATABASE_URL.
    const other = await cli(['db', 'copy', '--to', 'mysql://db/projectlead'], { DATABASE_URL: path });
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/--to postgres:\/\//);
    expect((await cli(['db', 'copy'], { DATABASE_URL: path })).code).toBe(2);
    expect((await cli(['db', 'move', '--to', 'postgres://x/y'], { DATABASE_URL: path })).code).toBe(2);
  });
});

describePostgres('db copy to PostgreSQL', () => {
  it('when a populated SQLite database is copied into an empty PostgreSQL one, then runs --json is the same on both and the counts agree', async () => {
    const path = await populated();
    const target = await emptyPostgresDatabase();
    const copy = await cli(['db', 'copy', '--to', target, '--json'], { DATABASE_URL: path });
    expect(copy.code, copy.err).toBe(0);
    const result = JSON.parse(copy.out) as { tables: { table: string; source: number; target: number }[] };
    const counts = Object.fromEntries(result.tables.map((t) => [t.table, t]));
    expect(Object.keys(counts).sort()).toEqual(
      [
        'alert_groups',
        'api_requests',
        'api_tokens',
        'webhook_subscriptions',
        'classifier_corrections',
        'digests',
        'events',
        'idempotency_keys',
        'outbox',
        'pending_requests',
        'role_holders',
        'runs',
        'sequences',
        'settings',
        'step_assignees',
        'steps',
        'timers',
        'usergroup_members',
      ].sort(),
    );
    for (const t of result.tables) expect(t.target, t.table).toBe(t.source);
    expect(counts.runs!.source).toBe(3);
    expect(counts.events!.source).toBeGreaterThan(3);
    expect(counts.outbox!.source).toBeGreaterThan(0);

    const onSqlite = await cli(['runs', '--json'], { DATABASE_URL: path });
    const onPostgres = await cli(['runs', '--json'], { DATABASE_URL: target });
    expect(onPostgres.code, onPostgres.err).toBe(0);
    expect(JSON.parse(onPostgres.out)).toEqual(JSON.parse(onSqlite.out));

    // The copy carries on: the next run numbers and generated ids follow the copied ones.
    const store = new PgStore(await openPgDatabase(target));
    const next = await store.transaction(async (r) => {
      await r.events.append([{ runId: null, at: 1, actor: 'UA', type: 'probe', stepKey: null, data: {} }]);
      return r.runs.nextSeq('FEAT');
    });
    expect(next).toBe(3);
    await store.close();

    // Copying again: the target holds data now, so it is refused and left as it was.
    const again = await cli(['db', 'copy', '--to', target], { DATABASE_URL: path });
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already holds data \(.*runs/);
    const after = await cli(['runs', '--json'], { DATABASE_URL: target });
    expect(JSON.parse(after.out)).toEqual(JSON.parse(onSqlite.out));
  });

  it('when the copy prints its table, then each table shows its rows on both sides', async () => {
    const path = await populated();
    const target = await freshPostgresDatabase();
    const { code, out } = await cli(['db', 'copy', '--to', target], { DATABASE_URL: path });
    expect(code).toBe(0);
    expect(out).toMatch(/^Copied .*copy\.sqlite to postgres:\/\/.*rows counted on both sides:/);
    expect(out).toMatch(/\n {2}runs\s+3\s+3\n/);
  });
});
