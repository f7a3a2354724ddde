// Three bot processes' stores on one PostgreSQL database (three pools, as three replicas hold):
// ticking their schedulers and digest crons together, each timer fires once and each digest
// period posts once.
import { expect, it } from 'vitest';
import type { Store } from '../../src/persistence/ports.ts';
import {
  type ClockEngine,
  createClockEngine,
  DAY,
  digestCrons,
  HOUR,
} from '../services/clocks/clock-engine.ts';
import { TestClock } from '../support/engine.ts';
import { describePostgres, freshPostgresDatabase } from '../support/postgres.ts';

async function outboxNotices(store: Store, type: string) {
  return (await store.read.outbox.list()).filter((r) => r.notice.type === type);
}

async function replicas(clock: TestClock, n = 3): Promise<ClockEngine[]> {
  const url = await freshPostgresDatabase();
  const out: ClockEngine[] = [];
  for (let i = 0; i < n; i++) out.push(await createClockEngine({ path: url, clock, worker: `w${i}` }));
  return out;
}

describePostgres('three replicas on one PostgreSQL database', () => {
  it('when all three tick at once, over and over, then each timer fires once', async () => {
    const clock = new TestClock();
    const engines = await replicas(clock);
    for (let i = 0; i < 30; i++) {
      await engines[i % 3]!.runs.startRun({ chain: 'feature', title: `F${i}`, text: 'x', requester: 'UREQ' });
    }
    clock.advance(15 * HOUR);
    const fired = (await Promise.all(engines.map((e) => e.scheduler.tick()))).flat();
    expect(fired).toHaveLength(90);
    expect(new Set(fired.map((f) => f.timerId)).size).toBe(90);
    // Nothing is left to fire: another round at once fires nothing.
    expect((await Promise.all(engines.map((e) => e.scheduler.tick()))).flat()).toEqual([]);
    const store = engines[0]!.store;
    const runs = await store.read.runs.list();
    const events = [...(await store.read.events.forRuns(runs.map((r) => r.id))).values()].flat();
    expect(events.filter((e) => e.type === 'timer_fired')).toHaveLength(90);
    expect(await outboxNotices(store, 'reminder')).toHaveLength(30);
    expect(
      (await outboxNotices(store, 'escalation')).filter((n) => n.delivery.kind === 'thread'),
    ).toHaveLength(30);
    for (const e of engines) await e.close();
  });

  it('when all three run the digest schedule and its catch-up, then each period posts once', async () => {
    const clock = new TestClock(Date.UTC(2026, 10, 2, 9, 30)); // Monday
    const engines = await replicas(clock);
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
    expect(await outboxNotices(engines[0]!.store, 'digest')).toHaveLength(2);
    clock.advance(DAY);
    const again = (await Promise.all(crons.map((c) => c.catchUp()))).flat();
    expect(again.filter((r) => r.posted).map((r) => r.periodKey)).toEqual(['daily:2026-11-03']);
    expect(await outboxNotices(engines[0]!.store, 'digest')).toHaveLength(3);
    for (const e of engines) await e.close();
  });
});
