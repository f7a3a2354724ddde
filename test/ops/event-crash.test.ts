// A bot process killed while it handles a mention, before the run is stored, has not answered
// Slack: Slack delivers the event again (to another replica), and the run starts there, once.
// Real bot processes on one PostgreSQL database, over HTTP and over Socket Mode; the test holds
// a lock the first one's run needs, so the kill lands mid-request, seen in pg_locks, never after
// a delay.
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { openPgDatabase } from '../../src/persistence/postgres/database.ts';
import { PgStore } from '../../src/persistence/postgres/store.ts';
import { APP_TOKEN } from '../support/app-harness.ts';
import { type FakeSlack, startFakeSlack, visibleText } from '../support/fake-slack.ts';
import { describePostgres, freshPostgresDatabase } from '../support/postgres.ts';
import { type Replica, replicaReady, startReplica, eventually as until } from '../support/replica.ts';

const SECRET = 'event-crash-signing-secret';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Setup {
  fake: FakeSlack;
  url: string;
  store: PgStore;
  start(env?: Record<string, string>): Promise<Replica>;
}

async function setup(): Promise<Setup> {
  const fake = await startFakeSlack();
  cleanups.push(() => fake.close());
  const url = await freshPostgresDatabase();
  const store = new PgStore(await openPgDatabase(url, { migrate: false }));
  cleanups.push(() => store.close());
  const start = (env?: Record<string, string>) =>
    replicaReady(
      startReplica(url, fake, { secret: SECRET, cleanups, ...(env ? { env } : {}) }),
      fake,
      SECRET,
    );
  return { fake, url, store, start };
}

/** Holds every delivery key claim back until `release`: a run being started waits there. */
async function holdDeliveryKeys(url: string) {
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  cleanups.push(() => locker.end());
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE idempotency_keys IN EXCLUSIVE MODE');
  return {
    /** Resolves once some process waits for the lock (it is mid-request). */
    waitedOn: () =>
      until(async () => {
        const { rows } = await locker.query(
          `SELECT 1 FROM pg_locks WHERE relation = 'idempotency_keys'::regclass AND NOT granted`,
        );
        return rows.length > 0;
      }, 'a bot waiting to store the run'),
    release: () => locker.query('ROLLBACK'),
  };
}

function mentionIn(fake: FakeSlack, channel: string, ts: string) {
  return {
    type: 'app_mention',
    user: 'UREQUESTER',
    text: `<@${fake.botUserId}> bug Checkout button does nothing`,
    channel,
    ts,
  };
}

/** Exactly one run, posted once in the channel. */
async function startedOnce(s: Setup, channel: string) {
  const run = await until(async () => {
    const r = (await s.store.read.runs.list())[0];
    return r?.rootTs && s.fake.message(channel, r.rootTs) ? r : null;
  }, 'the run posted');
  expect(run.id).toMatch(/^BUG-/);
  expect(await s.store.read.runs.list()).toHaveLength(1);
  const root = visibleText(s.fake.message(channel, run.rootTs!)!);
  expect(root).toContain(run.id);
  expect(s.fake.messages(channel).filter((m) => visibleText(m) === root)).toHaveLength(1);
}

describePostgres('a bot killed while it handles a Slack event', () => {
  it(
    'when it dies before the run is stored, then it never answered, and the redelivery starts the run once',
    { timeout: 120_000 },
    async () => {
      const s = await setup();
      const [first, second] = await Promise.all([s.start(), s.start()]);
      const keys = await holdDeliveryKeys(s.url);

      const mention = mentionIn(s.fake, 'CCRASH', first.driver.newTs());
      let answered: number | null = null;
      const firstDelivery = first.driver.event(mention, { eventId: 'EvCRASH' }).then(
        (r) => {
          answered = r.status;
        },
        () => undefined,
      );
      await keys.waitedOn();
      first.bot.child.kill('SIGKILL');
      await first.bot.exited;
      await firstDelivery;
      await keys.release();
      // Slack heard no 200, so nothing told it the event was taken.
      expect(answered).toBeNull();
      expect(await s.store.read.runs.list()).toEqual([]);

      // Slack's retries reach the other replica: the run starts, and is posted, once.
      for (const retryNum of [1, 2]) {
        const retry = await second.driver.event(mention, {
          eventId: 'EvCRASH',
          retryNum,
          retryReason: 'http_error',
        });
        expect(retry.status).toBe(200);
      }
      await startedOnce(s, 'CCRASH');
    },
  );

  it(
    'when it dies before the run is stored over Socket Mode, then its envelope was never acknowledged, and the redelivery starts the run once',
    { timeout: 120_000 },
    async () => {
      const s = await setup();
      const socket = { SLACK_APP_TOKEN: APP_TOKEN };
      const first = await s.start(socket);
      await until(async () => s.fake.socket.openConnections === 1, 'the first connection');
      const keys = await holdDeliveryKeys(s.url);

      const mention = mentionIn(s.fake, 'CSOCKCRASH', first.driver.newTs());
      const acksBefore = s.fake.socket.acks.length;
      const firstDelivery = first.driver
        .viaSocket()
        .event(mention, { eventId: 'EvSOCK' })
        .catch(() => undefined);
      await keys.waitedOn();
      first.bot.child.kill('SIGKILL');
      await first.bot.exited;
      await keys.release();
      // Slack holds an envelope it has no ack for, and sends it again.
      expect(s.fake.socket.acks.slice(acksBefore)).toEqual([]);
      expect(await s.store.read.runs.list()).toEqual([]);
      await until(async () => s.fake.socket.openConnections === 0, 'the dead connection closed');

      const second = await s.start(socket);
      await until(async () => s.fake.socket.openConnections === 1, 'the second connection');
      const retry = await second.driver
        .viaSocket()
        .event(mention, { eventId: 'EvSOCK', retryNum: 1, retryReason: 'timeout' });
      expect(retry.envelopeId).toBeTruthy();
      await startedOnce(s, 'CSOCKCRASH');
      await firstDelivery;
    },
  );
});
