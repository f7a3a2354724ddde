// Claims racing for one row: the outbox lease, a timer, a batch of due timers, a digest period,
// a pending request, a run number and an optimistic save. Two connections to one database race
// as two processes would (one connection only for backends without a second one); the claims
// start together in a shuffled order, many times over, and exactly one wins each row.
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/errors.ts';
import type { Backend, Connection } from './backend.ts';
import { digest, insertRuns, makeRun, rootUpdate, T0, useBackend } from './fixtures.ts';

const ROUNDS = 40;
const LEASE = 60_000;

/** A deterministic shuffle (the same order every run of the suite). */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed + 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = (s >>> 16) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Start every task in a shuffled order without waiting between them; settle all. */
function race<T>(tasks: (() => Promise<T>)[], seed: number): Promise<PromiseSettledResult<T>[]> {
  const order = shuffled(
    tasks.map((task, i) => ({ task, i })),
    seed,
  );
  const started = new Array<Promise<T>>(tasks.length);
  for (const { task, i } of order) started[i] = task();
  return Promise.allSettled(started);
}

const values = <T>(results: PromiseSettledResult<T>[]) =>
  results.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });

export function describeConcurrentClaimsContract(backend: Backend) {
  describe(`claims racing for one row (${backend.name})`, () => {
    const db = useBackend(backend);
    /** The racers: the first connection and a second one (or the first again). */
    async function racers(): Promise<[Connection, Connection]> {
      const first = db();
      return [first, first.connect ? await first.connect() : first];
    }

    it('when senders claim the outbox together, then each message goes to exactly one of them', async () => {
      const [a, b] = await racers();
      for (let round = 0; round < ROUNDS; round++) {
        const now = T0 + round;
        const ids = await a.store.transaction((r) =>
          r.outbox.enqueue(
            Array.from({ length: 7 }, (_, i) => ({
              runId: null,
              delivery: { kind: 'dm' as const, userId: `U${i}` },
              notice: digest(`round ${round}`),
            })),
            now,
          ),
        );
        // Four senders taking two each: room for eight, seven to share.
        const claims = [a, b, a, b].map(
          (c, w) => () => c.store.transaction((r) => r.outbox.claimDue(now, 2, `w${w}`, 60_000)),
        );
        const claimed = values(await race(claims, round)).flatMap((rows) => rows.map((row) => row.id));
        expect([...claimed].sort((x, y) => x - y)).toEqual(ids);
        expect(await b.store.transaction((r) => r.outbox.claimDue(now, 10, 'late', 60_000))).toEqual([]);
      }
    });

    it('when workers claim one timer together, then exactly one fires it', async () => {
      const [a, b] = await racers();
      await insertRuns(a.store, makeRun('A-1'));
      for (let round = 0; round < ROUNDS; round++) {
        await a.store.transaction((r) =>
          r.timers.schedule([{ runId: 'A-1', stepId: null, kind: `k${round}`, dueAt: T0 }], T0),
        );
        const timer = (await b.store.read.timers.forRun('A-1')).find((t) => t.kind === `k${round}`)!;
        const claims = [a, b, a, b].map(
          (c, w) => () => c.store.transaction((r) => r.timers.claim(timer.id, `w${w}`, T0 + round)),
        );
        const wins = values(await race(claims, round));
        expect(wins.filter(Boolean)).toHaveLength(1);
      }
      const timers = await a.store.read.timers.forRun('A-1');
      expect(timers.filter((t) => t.status === 'fired')).toHaveLength(ROUNDS);
    });

    it('when workers claim due timers in batches together, then each timer fires for exactly one', async () => {
      const [a, b] = await racers();
      await insertRuns(a.store, makeRun('A-1'));
      for (let round = 0; round < ROUNDS; round++) {
        const now = T0 + round;
        await a.store.transaction((r) =>
          r.timers.schedule(
            Array.from({ length: 5 }, (_, i) => ({ runId: 'A-1', stepId: null, kind: `k${i}`, dueAt: now })),
            now,
          ),
        );
        const claims = [a, b, a, b].map(
          (c, w) => () => c.store.transaction((r) => r.clock.claimDueTimers(now, 2, `w${w}`)),
        );
        const fired = values(await race(claims, round)).flatMap((rows) => rows.map((t) => t.id));
        expect(new Set(fired).size).toBe(5);
        expect(fired).toHaveLength(5);
      }
      expect((await b.store.read.timers.forRun('A-1')).every((t) => t.status === 'fired')).toBe(true);
    });

    it('when workers claim one digest period together, then exactly one posts it', async () => {
      const [a, b] = await racers();
      for (let round = 0; round < ROUNDS; round++) {
        const key = `daily:round-${round}`;
        const claims = [a, b, a, b].map(
          (c, w) => () => c.store.transaction((r) => r.digests.claim(key, 'daily', `w${w}`, T0 + round)),
        );
        expect(values(await race(claims, round)).filter(Boolean)).toHaveLength(1);
      }
      expect(await a.store.read.digests.last('daily')).toMatchObject({ claimedAt: T0 + ROUNDS - 1 });
    });

    it('when callers resolve one pending request together, then exactly one resolution counts', async () => {
      const [a, b] = await racers();
      for (let round = 0; round < ROUNDS; round++) {
        const id = await a.store.transaction((r) =>
          r.pending.insert({
            text: `request ${round}`,
            requester: 'U1',
            channelId: null,
            threadTs: null,
            source: 'mention',
            classification: {},
            createdAt: T0,
          }),
        );
        const tries = [a, b, a, b].map(
          (c, w) => () => c.store.transaction((r) => r.pending.resolve(id, `RUN-${w}`)),
        );
        const wins = values(await race(tries, round));
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect((await b.store.read.pending.get(id))!.resolvedRunId).toBe(`RUN-${wins.indexOf(true)}`);
      }
    });

    it('when callers draw run numbers together, then every number is drawn once, none skipped', async () => {
      const [a, b] = await racers();
      const draws = Array.from(
        { length: 4 * ROUNDS },
        (_, i) => () => (i % 2 === 0 ? a : b).store.transaction((r) => r.runs.nextSeq('FEAT')),
      );
      const numbers = values(await race(draws, 7));
      expect([...numbers].sort((x, y) => x - y)).toEqual(Array.from({ length: 4 * ROUNDS }, (_, i) => i + 1));
    });

    it('when callers save the same run version together, then one save wins and the others conflict', async () => {
      const [a, b] = await racers();
      for (let round = 0; round < ROUNDS; round++) {
        const id = `R-${round}`;
        await insertRuns(a.store, makeRun(id));
        const copies = await Promise.all([a, b, a, b].map((c) => c.store.read.runs.get(id)));
        const saves = copies.map((run, w) => () => {
          run!.title = `saved by w${w}`;
          return (w % 2 === 0 ? a : b).store.transaction((r) => r.runs.save(run!, [0], 0));
        });
        const results = await race(saves, round);
        const won = results.flatMap((r, w) => (r.status === 'fulfilled' ? [w] : []));
        expect(won).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
        }
        expect(await a.store.read.runs.get(id)).toMatchObject({ title: `saved by w${won[0]}`, version: 1 });
      }
    });

    it('when callers claim one delivery key together, then exactly one claims it and the others find its run', async () => {
      const [a, b] = await racers();
      for (let round = 0; round < ROUNDS; round++) {
        const key = `event-${round}`;
        const claims = [a, b, a, b].map(
          (c, w) => () =>
            c.store.transaction(async (r) => {
              const claim = await r.idempotency.claim([key, `msg-${round}-${w}`], T0);
              if (claim.claimed) await r.idempotency.attach([key, `msg-${round}-${w}`], `RUN-${w}`);
              return claim;
            }),
        );
        const results = values(await race(claims, round));
        const winner = results.findIndex((c) => c.claimed);
        expect(results.filter((c) => c.claimed)).toHaveLength(1);
        expect(results.filter((c) => !c.claimed)).toEqual(
          Array.from({ length: 3 }, () => ({ claimed: false, runId: `RUN-${winner}` })),
        );
        expect(await a.store.read.idempotency.seen([key])).toEqual({ key, runId: `RUN-${winner}` });
        for (let w = 0; w < 4; w++)
          expect((await b.store.read.idempotency.seen([`msg-${round}-${w}`]))?.runId).toBe(`RUN-${winner}`);
      }
    });

    // Two connections' transactions run at the same time only on PostgreSQL (SQLite's writers
    // take turns, so a sender there claims only after the commit anyway).
    it.runIf(backend.name === 'PostgreSQL')(
      'when a root update is folded into a waiting one, then no sender claims that one before the transaction commits',
      async () => {
        const [a, b] = await racers();
        await insertRuns(a.store, makeRun('A-1'));
        const update = {
          runId: 'A-1',
          delivery: { kind: 'root_update' as const },
          notice: rootUpdate('A-1'),
        };
        const [waiting] = await a.store.transaction((r) => r.outbox.enqueue([update], T0));
        const claim = async () =>
          (await b.store.transaction((r) => r.outbox.claimDue(T0, 10, 'b', LEASE))).map((row) => row.id);
        await a.store.transaction(async (r) => {
          expect(await r.outbox.enqueue([update], T0)).toEqual([waiting]);
          // A sender rendering it now would show the run without this transaction's change.
          expect(await claim()).toEqual([]);
        });
        expect(await claim()).toEqual([waiting]);
      },
    );
  });
}
