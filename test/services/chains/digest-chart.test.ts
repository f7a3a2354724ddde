// The weekly digest's chart is uploaded with Slack's file upload once per weekly digest, even
// with two processes running the digest schedule and sending the outbox on one database.
import { afterEach, describe, expect, it } from 'vitest';
import { playbookDirs } from '../../../routing/playbooks/load.ts';
import { createDigestCron } from '../../../src/jobs/digest-cron.ts';
import { createDigestService } from '../../../src/services/digests/digest-service.ts';
import { CHART_HEIGHT, CHART_WIDTH, chartPng } from '../../../src/services/metrics/chart-png.ts';
import { buildChainChart } from '../../../src/services/metrics/metrics.ts';
import { tempDbPath } from '../../support/engine.ts';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.ts';
import { createTestSender, virtualSleep } from '../../support/outbox.ts';
import { createClockEngine, DAY, HOUR } from '../clocks/clock-engine.ts';
import { pngSize, seedWeeks } from './history.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("the weekly digest's chart", () => {
  it('when two processes run the digest schedule and send the outbox, then the chart is uploaded once, after the digest, as the PNG metrics --chart draws', async () => {
    const fake: FakeSlack = await startFakeSlack();
    cleanups.push(() => fake.close());
    const path = tempDbPath('digest-chart');
    const a = await createClockEngine({ path, worker: 'a', dirs: playbookDirs() });
    const b = await createClockEngine({ path, clock: a.clock, worker: 'b', dirs: playbookDirs() });
    cleanups.push(async () => {
      await a.close();
      await b.close();
    });
    await a.store.transaction((repos) => repos.settings.installedAt(a.clock.ms - 7 * DAY));
    await seedWeeks(a);
    // Six weeks after Monday 2 November 09:00: Monday 14 December, 09:30 the weekly digest is due.
    a.clock.ms += 30 * 60_000;
    expect(new Date(a.clock.ms).toISOString()).toBe('2026-12-14T09:30:00.000Z');
    const crons = [a, b].map((e, i) =>
      createDigestCron({
        digests: createDigestService({
          store: e.store,
          clock: e.clock.now,
          timeZone: 'UTC',
          channel: 'CALGO',
          playbooks: e.playbooks,
          workerId: `w${i}`,
        }),
        clock: e.clock.now,
        schedules: { daily: '0 9 * * 1-5', weekly: '0 9 * * 1' },
        timeZone: 'UTC',
      }),
    );
    const posted = (await Promise.all(crons.map((c) => c.catchUp()))).flat().filter((r) => r.posted);
    expect(posted.map((r) => r.periodKey).sort()).toEqual([
      expect.stringMatching(/^daily:/),
      expect.stringMatching(/^weekly:/),
    ]);
    const expected = await chartPng(
      await buildChainChart(a.store.read.reports, a.playbooks, { now: a.clock.ms, timeZone: 'UTC' }),
    );

    // Two senders on one virtual clock: each pacing sleep also yields a little real time, so
    // that one sender's sleeps cannot outrun the other's upload in flight past its lease.
    const senders = [a, b].map((e, i) =>
      createTestSender(e, fake, {
        workerId: `sender-${i}`,
        sleep: async (ms) => {
          await new Promise((resolve) => setTimeout(resolve, 10));
          await virtualSleep(e, ms);
        },
      }),
    );
    await Promise.all(senders.map((s) => s.drain(60 * 60_000)));
    a.clock.advance(HOUR);
    await Promise.all(crons.map((c) => c.catchUp()));
    await Promise.all(senders.map((s) => s.drain(60 * 60_000)));

    const files = fake.files.shared();
    expect(files).toHaveLength(1);
    expect(fake.callsTo('files.getUploadURLExternal')).toHaveLength(1);
    expect(fake.callsTo('files.completeUploadExternal')).toHaveLength(1);
    const file = files[0]!;
    expect(file.shared).toMatchObject({
      channel: 'CALGO',
      title: 'Chains over the last 8 weeks: runs and median duration',
      comment: expect.stringMatching(/This week's bottlenecks: .*Algorithm Change › Triage/),
    });
    expect(file.filename).toMatch(/^chains-weekly-\d{4}-W\d+\.png$/);
    expect(pngSize(file.bytes!)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    expect(file.bytes!.equals(Buffer.from(expected))).toBe(true);
    // After the weekly digest's message (same lane, in order); the daily digest has no chart.
    const digests = fake.messages('CALGO').filter((m) => /Weekly|weekly/.test(m.text ?? ''));
    expect(digests).toHaveLength(1);
    const upload = fake.callsTo('files.completeUploadExternal')[0]!;
    const weeklyPost = fake
      .callsTo('chat.postMessage')
      .find((c) => /weekly/i.test(String(c.args.text ?? '')))!;
    expect(upload.at).toBeGreaterThanOrEqual(weeklyPost.at);
    expect(fake.calls.indexOf(upload)).toBeGreaterThan(fake.calls.indexOf(weeklyPost));
  }, 60_000);
});
