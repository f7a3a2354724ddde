import { describe, expect, it } from 'vitest';
import { createClockEngine, DAY, digestCrons, HOUR } from '../services/clocks/clock-engine.ts';
import { TestClock, tempDbPath } from '../support/engine.ts';

describe('two bot processes on one database file', () => {
  it('when both tick at once, then each timer fires once', async () => {
    const path = tempDbPath('two');
    const clock = new TestClock();
    const a = await createClockEngine({ path, clock, worker: 'a' });
    const b = await createClockEngine({ path, clock, worker: 'b' });
    for (let i = 0; i < 20; i++) {
      await (i % 2 ? a : b).runs.startRun({ chain: 'feature', title: `F${i}`, text: 'x', requester: 'UREQ' });
    }
    clock.advance(15 * HOUR);
    const [fa, fb] = await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
    const all = [...fa, ...fb];
    expect(all).toHaveLength(60);
    expect(new Set(all.map((f) => f.timerId)).size).toBe(60);
    const fired = a.db.sqlite
      .prepare("select count(*) as n from events where type = 'timer_fired'")
      .get() as { n: number };
    expect(fired.n).toBe(60);
    expect(a.notices(['reminder'])).toHaveLength(20);
    expect(a.notices(['escalation']).filter((n) => n.kind === 'thread')).toHaveLength(20);
    await a.close();
    await b.close();
  });

  it('when both run the digest schedule and its catch-up, then each period posts once', async () => {
    const path = tempDbPath('two-digests');
    const clock = new TestClock(Date.UTC(2026, 10, 2, 9, 30)); // Monday
    const engines = [
      await createClockEngine({ path, clock, worker: 'a' }),
      await createClockEngine({ path, clock, worker: 'b' }),
    ];
    // Installed the week before: today's periods are the bot's to post.
    await engines[0]!.store.transaction((repos) => repos.settings.installedAt(clock.ms - 7 * DAY));
    const crons = digestCrons(engines, clock);
    const results = (await Promise.all(crons.map((c) => c.catchUp()))).flat();
    expect(
      results
        .filter((r) => r.posted)
        .map((r) => r.periodKey)
        .sort(),
    ).toEqual(['daily:2026-11-02', 'weekly:2026-W45']);
    clock.advance(HOUR);
    await Promise.all(crons.map((c) => c.catchUp()));
    expect(engines[0]!.notices(['digest'])).toHaveLength(2);
    // Down over a day: the missed Tuesday digest is posted once on the next start.
    clock.advance(DAY);
    const again = (await Promise.all(crons.map((c) => c.catchUp()))).flat();
    expect(again.filter((r) => r.posted).map((r) => r.periodKey)).toEqual(['daily:2026-11-03']);
    for (const e of engines) await e.close();
  });
});
