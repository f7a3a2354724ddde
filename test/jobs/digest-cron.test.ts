import { describe, expect, it } from 'vitest';
import { loadCoreConfig } from '../../src/config.ts';
import { createCore } from '../../src/core.ts';
import { createDigestCron } from '../../src/jobs/digest-cron.ts';
import { lastOccurrence, periodKey } from '../../src/services/digests/digest-periods.ts';
import { createDigestService } from '../../src/services/digests/digest-service.ts';
import { createClockEngine } from '../services/clocks/clock-engine.ts';
import { sqliteOf, TestClock, tempDbPath } from '../support/engine.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('digest schedule in the digest time zone', () => {
  it('when daylight saving starts in Paris, then the 09:00 digest moves from 08:00 to 07:00 UTC and keys follow the local date', () => {
    const expr = '0 9 * * 1-5';
    expect(iso(lastOccurrence(expr, 'Europe/Paris', Date.UTC(2026, 2, 27, 12)))).toBe(
      '2026-03-27T08:00:00.000Z',
    ); // Fri, UTC+1
    expect(iso(lastOccurrence(expr, 'Europe/Paris', Date.UTC(2026, 2, 30, 6, 59)))).toBe(
      '2026-03-27T08:00:00.000Z',
    ); // Mon before 09:00 CEST
    expect(iso(lastOccurrence(expr, 'Europe/Paris', Date.UTC(2026, 2, 30, 7, 0)))).toBe(
      '2026-03-30T07:00:00.000Z',
    ); // Mon 09:00 CEST
    expect(iso(lastOccurrence('0 9 * * 1', 'America/New_York', Date.UTC(2026, 10, 2, 15)))).toBe(
      '2026-11-02T14:00:00.000Z',
    ); // after DST ends
    expect(periodKey('daily', Date.UTC(2026, 2, 29, 22, 30), 'Europe/Paris')).toBe('daily:2026-03-30');
    expect(periodKey('weekly', Date.UTC(2026, 2, 29, 22, 30), 'Europe/Paris')).toBe('weekly:2026-W14');
    expect(periodKey('weekly', Date.UTC(2026, 2, 29, 21, 30), 'Europe/Paris')).toBe('weekly:2026-W13');
  });

  it('when the bot starts across the change, then the missed Monday digest is caught up once under its local date', async () => {
    // Installed on the Friday before; down over the weekend.
    const clock = new TestClock(Date.UTC(2026, 2, 27, 11)); // Fri 12:00 CET
    const e = await createClockEngine({ clock });
    const digests = createDigestService({
      store: e.store,
      clock: clock.now,
      timeZone: 'Europe/Paris',
      channel: 'CALGO',
      playbooks: e.playbooks,
      workerId: 'w',
    });
    const cron = createDigestCron({
      digests,
      clock: clock.now,
      schedules: { daily: '0 9 * * 1-5', weekly: '0 9 * * 1' },
      timeZone: 'Europe/Paris',
    });
    expect((await cron.catchUp()).every((r) => !r.posted)).toBe(true);
    clock.ms = Date.UTC(2026, 2, 30, 7, 30); // Mon 09:30 CEST
    const first = await cron.start();
    await cron.stop();
    expect(first.map((r) => [r.periodKey, r.posted])).toEqual([
      ['daily:2026-03-30', true],
      ['weekly:2026-W14', true],
    ]);
    expect((await cron.catchUp()).every((r) => !r.posted)).toBe(true);
  });
});

const SCHEDULES = { daily: '0 9 * * 1-5', weekly: '0 9 * * 1' };

/** The bot's core on a database file, as `npm start` composes it, with the digest cron. */
async function startBot(path: string, clock: TestClock) {
  const config = loadCoreConfig({ DATABASE_URL: path, DIGEST_CHANNEL: 'CALGO', ADMIN_USER_IDS: 'UADMIN' });
  const core = await createCore(config, { clock: clock.now });
  const cron = createDigestCron({
    digests: core.digests,
    clock: clock.now,
    schedules: SCHEDULES,
    timeZone: 'UTC',
  });
  const started = await cron.start();
  await cron.stop();
  const digestsPosted = async () =>
    (await core.store.read.outbox.list()).flatMap((r) =>
      r.notice.type === 'digest' ? [String((r.notice as { periodKey?: unknown }).periodKey)] : [],
    );
  return { core, started, digestsPosted };
}

describe('a quiet first start', () => {
  it('when the bot starts for the first time, then no digest is posted for a period under way, and the next periods are', async () => {
    const path = tempDbPath('first-start');
    const clock = new TestClock(Date.UTC(2026, 10, 2, 9, 30)); // Monday 09:30, just installed
    const first = await startBot(path, clock);
    expect(first.started.map((r) => [r.periodKey, r.posted, r.reason])).toEqual([
      ['daily:2026-11-02', false, 'before_install'],
      ['weekly:2026-W45', false, 'before_install'],
    ]);
    expect(await first.digestsPosted()).toEqual([]);
    expect(await first.core.store.read.settings.get('installed_at')).toBe(String(clock.ms));
    await first.core.close();

    // Tuesday: the daily digest is the first of a period that began after the install.
    clock.ms = Date.UTC(2026, 10, 3, 9, 30);
    const tuesday = await startBot(path, clock);
    expect(tuesday.started.map((r) => [r.periodKey, r.posted])).toEqual([
      ['daily:2026-11-03', true],
      ['weekly:2026-W45', false],
    ]);
    await tuesday.core.close();

    // The next Monday, after a weekend down: both are caught up, once.
    clock.ms = Date.UTC(2026, 10, 9, 10, 0);
    const monday = await startBot(path, clock);
    expect(monday.started.map((r) => [r.periodKey, r.posted])).toEqual([
      ['daily:2026-11-09', true],
      ['weekly:2026-W46', true],
    ]);
    await monday.core.close();
    const again = await startBot(path, clock);
    expect(again.started.every((r) => !r.posted)).toBe(true);
    expect(await again.digestsPosted()).toEqual(['daily:2026-11-03', 'daily:2026-11-09', 'weekly:2026-W46']);
    // Each post is an event in the log.
    const posted = sqliteOf(again.core.store)
      .prepare(`select actor, data from events where type = 'digest_posted' order by id`)
      .all() as { actor: string; data: string }[];
    expect(posted.map((p) => [p.actor, JSON.parse(p.data).periodKey])).toEqual([
      ['system', 'daily:2026-11-03'],
      ['system', 'daily:2026-11-09'],
      ['system', 'weekly:2026-W46'],
    ]);
    await again.core.close();
  });

  it('when a database from before the install record is upgraded, then its first activity counts as the install and a missed digest is caught up', async () => {
    const path = tempDbPath('upgrade');
    const clock = new TestClock(Date.UTC(2026, 10, 4, 12)); // Wednesday
    const old = await createClockEngine({ path, clock });
    await old.runs.startRun({ chain: 'bug', title: 'Login fails', text: 'x', requester: 'UREQ' });
    await old.close();
    clock.ms = Date.UTC(2026, 10, 9, 9, 30); // the next Monday, first start of the new version
    const bot = await startBot(path, clock);
    expect(bot.started.map((r) => [r.periodKey, r.posted])).toEqual([
      ['daily:2026-11-09', true],
      ['weekly:2026-W46', true],
    ]);
    expect(await bot.core.store.read.settings.get('installed_at')).toBe(String(Date.UTC(2026, 10, 4, 12)));
    await bot.core.close();
  });
});
