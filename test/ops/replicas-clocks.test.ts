// Three real bot processes (`src/main.ts`) on one PostgreSQL database and their clocks: a
// database whose steps' reminders and escalations all came due while no process ran, and whose
// daily and weekly digests were missed, is picked up by three processes starting together. Each
// timer fires once, each reminder and escalation is posted once, each digest goes out once. No
// wall-clock wait: the timers are made overdue in the database, and a process catches up at its
// start.
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { openPgDatabase } from '../../src/persistence/postgres/database.ts';
import { PgStore } from '../../src/persistence/postgres/store.ts';
import { startFakeSlack, visibleText } from '../support/fake-slack.ts';
import { describePostgres, emptyPostgresDatabase } from '../support/postgres.ts';
import { replicaReady, startReplica, eventually as until } from '../support/replica.ts';

const SECRET = 'replicas-clocks-secret';
const DAY = 24 * 3600_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describePostgres('three bot processes and their clocks', () => {
  it(
    'when three start together on overdue reminders, escalations and missed digests, then each goes out once',
    { timeout: 120_000 },
    async () => {
      const fake = await startFakeSlack();
      cleanups.push(() => fake.close());
      const url = await emptyPostgresDatabase();

      // One process takes the requests: each handoff schedules its step's clocks.
      const first = startReplica(url, fake, { secret: SECRET, cleanups, env: { DIGEST_CHANNEL: 'CDIGEST' } });
      const { driver } = await replicaReady(first, fake, SECRET);
      const store = new PgStore(await openPgDatabase(url, { migrate: false }));
      cleanups.push(() => store.close());
      const channels = ['CCLK0', 'CCLK1', 'CCLK2', 'CCLK3'];
      for (const [i, channel] of channels.entries())
        await driver.event(
          {
            type: 'app_mention',
            user: 'UREQUESTER',
            text: `<@${fake.botUserId}> bug Export ${i} to CSV drops the last row`,
            channel,
            ts: driver.newTs(),
          },
          { eventId: `EvC${i}` },
        );
      await until(async () => {
        const runs = await store.read.runs.list();
        return runs.length === channels.length && runs.every((r) => r.rootTs) && runs;
      }, 'every run posted');
      await until(async () => (await store.read.outbox.pendingCount()) === 0, 'the handoffs posted');
      first.child.kill('SIGTERM');
      await first.exited;

      // While no process runs: every step clock is overdue, and the install is ten days old, so
      // the latest daily and weekly digests are owed.
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      cleanups.push(() => admin.end());
      const cutoff = Date.now() - 60_000;
      const overdue = await admin.query<{ id: string }>(
        "UPDATE timers SET due_at = $1 WHERE status = 'pending' RETURNING id",
        [cutoff],
      );
      expect(overdue.rowCount).toBeGreaterThanOrEqual(channels.length);
      await admin.query("UPDATE settings SET value = $1 WHERE key = 'installed_at'", [
        String(Date.now() - 10 * DAY),
      ]);
      const postedBefore = fake.messages().length;

      // Three processes start together and catch up.
      const bots = [0, 1, 2].map(() =>
        startReplica(url, fake, { secret: SECRET, cleanups, env: { DIGEST_CHANNEL: 'CDIGEST' } }),
      );
      await Promise.all(bots.map((b) => replicaReady(b, fake, SECRET)));
      const ids = overdue.rows.map((r) => Number(r.id));
      await until(async () => {
        const { rows } = await admin.query<{ n: string }>(
          "SELECT count(*) AS n FROM timers WHERE id = ANY($1) AND status = 'pending'",
          [ids],
        );
        return Number(rows[0]!.n) === 0;
      }, 'every overdue timer fired');
      await until(async () => {
        const { rows } = await admin.query<{ n: string }>(
          'SELECT count(*) AS n FROM digests WHERE posted_at IS NOT NULL',
        );
        return Number(rows[0]!.n) >= 2 && (await store.read.outbox.pendingCount()) === 0;
      }, 'the digests posted and the outbox empty');

      // Each overdue timer fired once, by one process or another.
      const runIds = (await store.read.runs.list()).map((r) => r.id);
      const fired = [...(await store.read.events.forRuns(runIds)).values()]
        .flat()
        .filter((e) => e.type === 'timer_fired' && ids.includes(Number(e.data.timerId)));
      const byTimer = new Map<number, number>();
      for (const e of fired)
        byTimer.set(Number(e.data.timerId), (byTimer.get(Number(e.data.timerId)) ?? 0) + 1);
      expect([...byTimer.keys()].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
      expect([...byTimer.values()].every((n) => n === 1)).toBe(true);
      const reminders = fired.filter((e) => !e.data.skipped).length;
      expect(reminders).toBeGreaterThan(0);

      // Each message owed went out once: every sent row has its own Slack message.
      // (The weekly chart is a file upload, not a message: counted with the digests below.)
      const sent = (await store.read.outbox.list({ status: 'sent' })).filter(
        (r) => r.delivery.kind !== 'root_update' && r.resultTs && r.notice.type !== 'digest_chart',
      );
      expect(new Set(sent.map((r) => r.resultTs)).size).toBe(sent.length);
      const posted = fake.messages();
      expect(posted.length).toBeGreaterThan(postedBefore);
      expect(posted).toHaveLength(sent.length);
      // One daily and one weekly digest, once each.
      const { rows: periods } = await admin.query<{ kind: string }>('SELECT kind FROM digests ORDER BY kind');
      expect(periods.map((p) => p.kind)).toEqual(['daily', 'weekly']);
      const digests = fake.messages('CDIGEST').filter((m) => /digest/i.test(visibleText(m)));
      expect(digests).toHaveLength(2);
      const charts = (await store.read.outbox.list({ status: 'sent' })).filter(
        (r) => r.notice.type === 'digest_chart',
      );
      expect(charts).toHaveLength(1);
    },
  );
});
