// Three real bot processes (`src/main.ts`) on one PostgreSQL database behind the fake Slack, as
// replicas behind a load balancer run: they start together on an empty database and migrate it
// once; requests, Slack's retries and duplicate deliveries spread across them start one run
// each; a modal submitted twice to two of them completes its step once; every message goes out once; and a
// process SIGKILLed while posting loses its lease within seconds, another posting it once.
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { openPgDatabase } from '../../src/persistence/postgres/database.ts';
import { PgStore } from '../../src/persistence/postgres/store.ts';
import { ACTION, BLOCK, CALLBACK, encodeStepRef } from '../../src/slack/ids.ts';
import { ADMIN } from '../support/engine.ts';
import { startFakeSlack, visibleText } from '../support/fake-slack.ts';
import { describePostgres, emptyPostgresDatabase } from '../support/postgres.ts';
import { replicaReady, startReplica, eventually as until } from '../support/replica.ts';
import { textInput } from '../support/slack-driver.ts';

const SECRET = 'replicas-signing-secret';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describePostgres('three bot processes on one PostgreSQL database', () => {
  it(
    'when they share requests, retries, duplicates and a kill, then everything happens once',
    {
      timeout: 120_000,
    },
    async () => {
      const fake = await startFakeSlack();
      cleanups.push(() => fake.close());
      const url = await emptyPostgresDatabase();

      // Three replicas start together on an empty database: one migrates, the others wait.
      const bots = [0, 1, 2].map(() => startReplica(url, fake, { secret: SECRET, cleanups }));
      const replicas = await Promise.all(bots.map((b) => replicaReady(b, fake, SECRET)));
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      cleanups.push(() => admin.end());
      const applied = await admin.query('SELECT hash FROM drizzle.__drizzle_migrations');
      const journal = (await import('../../migrations-pg/meta/_journal.json', { with: { type: 'json' } }))
        .default;
      expect(applied.rowCount).toBe(journal.entries.length);
      const store = new PgStore(await openPgDatabase(url, { migrate: false }));
      cleanups.push(() => store.close());

      // Each request reaches all three: the first delivery, Slack's retry of it (same event id)
      // and a second delivery of the same message under a new event id.
      const mention = (i: number) => ({
        type: 'app_mention',
        user: 'UREQUESTER',
        text: `<@${fake.botUserId}> bug Checkout button ${i} does nothing`,
        channel: `CREP${i}`,
        ts: replicas[0]!.driver.newTs(),
      });
      const requests = [0, 1, 2, 3, 4, 5].map(mention);
      await Promise.all(
        requests.flatMap((event, i) => [
          replicas[i % 3]!.driver.event(event, { eventId: `EvR${i}` }),
          replicas[(i + 1) % 3]!.driver.event(event, {
            eventId: `EvR${i}`,
            retryNum: 1,
            retryReason: 'http_timeout',
          }),
          replicas[(i + 2) % 3]!.driver.event(event, { eventId: `EvR${i}b` }),
        ]),
      );
      const runs = await until(async () => {
        const all = await store.read.runs.list();
        return all.length >= requests.length && all.every((r) => r.rootTs) && all;
      }, 'every run posted');
      expect(runs.map((r) => r.channelId).sort()).toEqual(requests.map((r) => r.channel).sort());

      // A button pressed on one replica opens the step's modal; the modal submitted twice (a
      // double click), to the other two, completes the step once.
      const first = runs.find((r) => r.channelId === 'CREP0')!;
      const stepKey = first.steps.find((x) => x.status === 'active')!.key;
      const ref = encodeStepRef(first.id, stepKey);
      const handoff = await until(
        async () =>
          fake
            .thread('CREP0', first.threadTs!)
            .filter((m) => JSON.stringify(m.blocks ?? []).includes(`"action_id":"${ACTION.stepDone}"`))
            .find((m) => JSON.stringify(m.blocks).includes(ref)),
        'the handoff message',
      );
      const viewsBefore = fake.views.length;
      await replicas[1]!.driver.blockAction({
        userId: ADMIN,
        actionId: ACTION.stepDone,
        channelId: 'CREP0',
        messageTs: handoff.ts,
        value: ref,
      });
      const view = await until(
        async () =>
          fake.views
            .slice(viewsBefore)
            .find((v) => v.user === ADMIN && v.callback_id === CALLBACK.stepDoneModal),
        'the step modal',
      );
      const values = { [BLOCK.output]: { [BLOCK.output]: textInput('triaged') } };
      await Promise.all([
        replicas[0]!.driver.viewSubmission({ userId: ADMIN, viewId: view.id, values }),
        replicas[2]!.driver.viewSubmission({ userId: ADMIN, viewId: view.id, values }),
      ]);
      const doneOnce = async () =>
        (await store.read.events.forRun(first.id)).filter(
          (e) => e.type === 'step_completed' && e.stepKey === stepKey,
        );
      await until(async () => (await doneOnce()).length > 0, 'the step done');

      // A replica dies while posting: the post never reached Slack, its lease was the dead
      // process's, and another replica posts the message within seconds, once.
      // Only the new run's root post hangs: the earlier runs' posts may still be going out.
      const late = mention(6);
      fake.failNext('chat.postMessage', { hang: true }, 1, { channel: late.channel });
      await replicas[1]!.driver.event(late, { eventId: 'EvLATE' });
      await until(async () => fake.hungCount === 1, 'a post in flight');
      const { rows } = await admin.query<{ claimed_by: string }>(
        "SELECT claimed_by FROM outbox WHERE status = 'pending' AND maybe_sent",
      );
      const pid = Number(rows[0]!.claimed_by.split(':').at(-2));
      const victim = replicas.find((r) => r.bot.child.pid === pid)!;
      expect(victim).toBeDefined();
      victim.bot.child.kill('SIGKILL');
      const killedAt = Date.now();
      const lateRun = await until(async () => {
        const r = (await store.read.runs.list({ channelId: late.channel }))[0];
        return r?.rootTs && fake.message(late.channel, r.rootTs) ? r : null;
      }, 'the dead replica’s post, sent by another');
      expect(Date.now() - killedAt).toBeLessThan(15_000);

      // Everything settles: each message the outbox owed is in Slack exactly once.
      await until(async () => (await store.read.outbox.pendingCount()) === 0, 'an empty outbox');
      const allRuns = await store.read.runs.list();
      expect(allRuns).toHaveLength(requests.length + 1);
      for (const run of allRuns) {
        const root = fake.message(run.channelId!, run.rootTs!)!;
        expect(visibleText(root), run.id).toContain(run.id);
        const copies = fake.messages(run.channelId!).filter((m) => visibleText(m) === visibleText(root));
        expect(copies, run.id).toHaveLength(1);
      }
      const sent = (await store.read.outbox.list({ status: 'sent' })).filter(
        (r) => r.delivery.kind !== 'root_update' && r.resultTs,
      );
      const posted = fake.messages();
      expect(new Set(sent.map((r) => r.resultTs)).size).toBe(sent.length);
      expect(posted).toHaveLength(sent.length);
      expect(await doneOnce()).toHaveLength(1);
      expect(lateRun.id).toMatch(/^BUG-/);
    },
  );
});
