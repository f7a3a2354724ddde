// A bot process killed while it handles a mention, before the run is stored, has not answered
// Slack: Slack delivers the event again (to another replica), and the run starts there, once.
// Two real bot processes on one PostgreSQL database; the test holds a lock the first one's
// run needs, so the kill lands mid-request, seen in pg_stat_activity, never after a delay.
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { openPgDatabase } from '../../src/persistence/postgres/database.ts';
import { PgStore } from '../../src/persistence/postgres/store.ts';
import { startFakeSlack, visibleText } from '../support/fake-slack.ts';
import { describePostgres, freshPostgresDatabase } from '../support/postgres.ts';
import { type Replica, replicaReady, startReplica, eventually as until } from '../support/replica.ts';

const SECRET = 'event-crash-signing-secret';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describePostgres('a bot killed while it handles a Slack event', () => {
  it(
    'when it dies before the run is stored, then it never answered, and the redelivery starts the run once',
    { timeout: 120_000 },
    async () => {
      const fake = await startFakeSlack();
      cleanups.push(() => fake.close());
      const url = await freshPostgresDatabase();
      const [first, second] = (await Promise.all(
        [0, 1].map(() => replicaReady(startReplica(url, fake, { secret: SECRET, cleanups }), fake, SECRET)),
      )) as [Replica, Replica];
      const store = new PgStore(await openPgDatabase(url, { migrate: false }));
      cleanups.push(() => store.close());

      // Nobody may claim a delivery key until the test lets go: the first bot's run waits there.
      const locker = new pg.Client({ connectionString: url });
      await locker.connect();
      cleanups.push(() => locker.end());
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE idempotency_keys IN EXCLUSIVE MODE');

      const mention = {
        type: 'app_mention',
        user: 'UREQUESTER',
        text: `<@${fake.botUserId}> bug Checkout button does nothing`,
        channel: 'CCRASH',
        ts: first.driver.newTs(),
      };
      let answered: number | null = null;
      const firstDelivery = first.driver.event(mention, { eventId: 'EvCRASH' }).then(
        (r) => {
          answered = r.status;
        },
        () => undefined,
      );
      await until(async () => {
        const { rows } = await locker.query(
          `SELECT 1 FROM pg_locks WHERE relation = 'idempotency_keys'::regclass AND NOT granted`,
        );
        return rows.length > 0;
      }, 'the first bot waiting to store the run');
      first.bot.child.kill('SIGKILL');
      await first.bot.exited;
      await firstDelivery;
      await locker.query('ROLLBACK');
      // Slack heard no 200, so nothing told it the event was taken.
      expect(answered).toBeNull();
      expect(await store.read.runs.list()).toEqual([]);

      // Slack's retry reaches the other replica: the run starts, and is posted, once.
      const retry = await second.driver.event(mention, {
        eventId: 'EvCRASH',
        retryNum: 1,
        retryReason: 'http_error',
      });
      expect(retry.status).toBe(200);
      const run = await until(async () => {
        const r = (await store.read.runs.list())[0];
        return r?.rootTs && fake.message('CCRASH', r.rootTs) ? r : null;
      }, 'the run posted');
      expect(run.id).toMatch(/^BUG-/);
      // A later retry (Slack tries up to three times) starts nothing more.
      const again = await second.driver.event(mention, {
        eventId: 'EvCRASH',
        retryNum: 2,
        retryReason: 'http_error',
      });
      expect(again.status).toBe(200);
      expect(await store.read.runs.list()).toHaveLength(1);
      const root = visibleText(fake.message('CCRASH', run.rootTs!)!);
      expect(root).toContain(run.id);
      expect(fake.messages('CCRASH').filter((m) => visibleText(m) === root)).toHaveLength(1);
    },
  );
});
