// `npm run bench:engine`: 10,000 Incident Response runs (9 steps each, and the Bug Fix run their
// Permanent Fix starts) started and walked to completion through the run service. Prints
// transitions per second and latency percentiles per transition. On a temporary SQLite file, or
// on the database DATABASE_URL names (a `postgres://…` one: give it an empty database).
// BENCH_CONCURRENCY runs are walked at once (default 1; a bot process serves many requests at
// once, which a server database overlaps). BENCH_WARMUP runs (default 100) are walked first and
// not timed; on PostgreSQL the tables are then analyzed, as autovacuum does within its first
// minute on a live database (a bench lasting seconds on an empty one would otherwise be timed
// with the plans PostgreSQL chose for empty tables: a scan of every step on each save).
// Not part of `npm test`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadPlaybooks } from '../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../routing/roles.ts';
import { createActors } from '../src/core/actor.ts';
import { liveChild } from '../src/domain/links.ts';
import type { Run } from '../src/domain/types.ts';
import { openStore } from '../src/persistence/open.ts';
import { createRoleService } from '../src/services/role-service.ts';
import { createRunService } from '../src/services/run-service.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1);
const dir = process.env.DATABASE_URL ? null : mkdtempSync(join(tmpdir(), 'bench-engine-'));
const store = await openStore(process.env.DATABASE_URL ?? join(dir!, 'bench.sqlite'));
const directory = loadRoleDirectory();
const playbooks = loadPlaybooks({ knownRoles: new Set(directory.names) });
let now = Date.UTC(2026, 0, 1);
const clock = () => now;
const admins = new Set(['UADMIN']);
const runs = createRunService({ store, playbooks, directory, clock });
const roles = createRoleService({ store, directory, clock });
const actors = createActors({ store, directory, adminUserIds: admins });
const as = (userId: string) => actors.resolve({ kind: 'slack_user', userId });
await roles.seedDefaults();
for (const role of directory.names) await roles.setRole(await as('UADMIN'), role, [`U${role.toUpperCase()}`]);

const latencies: number[] = [];
let timing = false;
async function timed<T>(fn: () => Promise<T>): Promise<T> {
  const t0 = process.hrtime.bigint();
  const out = await fn();
  if (timing) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  return out;
}

/**
 * Completes a run's steps by their owners until it ends. A step that runs a linked chain
 * (Permanent Fix runs a Bug Fix) is done when that run is: the walk goes into the linked run,
 * then reads its parent again.
 */
async function walk(start: Run): Promise<Run> {
  let run = start;
  while (run.status === 'active') {
    const step = run.steps.find((s) => s.status === 'active')!;
    const child = liveChild(run, step.key);
    if (child) {
      linked++;
      const walked = await walk((await store.read.runs.get(child.runId))!);
      if (walked.status !== 'done') throw new Error(`${walked.id} ended ${walked.status}`);
      run = (await store.read.runs.get(run.id))!;
      continue;
    }
    for (const role of step.owners.filter((r) => !step.deliveries[r])) {
      const id = run.id;
      // The actor is built per request, at the edge, as the bot does.
      run = await timed(async () =>
        runs.completeStep(id, await as(`U${role.toUpperCase()}`), { stepKey: step.key, output: 'ok' }),
      );
    }
  }
  return run;
}

let linked = 0;

async function walkOne(i: number) {
  now += 1000;
  let { run } = await timed(() =>
    runs.startRun({
      chain: 'incident',
      title: `Incident ${i}`,
      text: 'API degraded',
      requester: 'UREQ',
      channelId: 'C1',
      severity: 'sev3',
      projects: ['backend'],
    }),
  );
  run = await walk(run);
  if (run.status !== 'done') throw new Error(`${run.id} ended ${run.status}`);
}

/** Events written so far, read through the port (every run's log). */
async function countEvents(): Promise<number> {
  const all = await store.read.runs.list();
  const logs = await store.read.events.forRuns(all.map((r) => r.id));
  return [...logs.values()].reduce((n, l) => n + l.length, 0);
}

/** Walks runs `from` up to `to`, CONCURRENCY at a time. */
async function walkAll(from: number, to: number) {
  let next = from;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < to) await walkOne(next++);
    }),
  );
}

await walkAll(0, WARMUP);
const eventsBefore = await countEvents();
const outboxBefore = (await store.read.outbox.list()).length;
if (/^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? '')) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query('ANALYZE');
  await client.end();
}
linked = 0;
timing = true;
const started = performance.now();
const cpu = process.cpuUsage();
await walkAll(WARMUP, WARMUP + RUNS);
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(3);
const events = (await countEvents()) - eventsBefore;
const outbox = (await store.read.outbox.list()).length - outboxBefore;
console.log(
  `runs: ${RUNS} after ${WARMUP} untimed (Incident Response, 9 steps, 2 of them parallel; Permanent Fix runs a linked Bug Fix: ${linked} walked), ${CONCURRENCY} at a time, on ${dir ? 'a WAL SQLite file' : store.location}`,
);
console.log(
  `transitions: ${latencies.length} in ${seconds.toFixed(2)} s = ${(latencies.length / seconds).toFixed(0)} transitions/s`,
);
console.log(
  `latency per transition (ms): p50 ${pct(50)}  p90 ${pct(90)}  p99 ${pct(99)}  max ${latencies.at(-1)!.toFixed(3)}`,
);
console.log(
  `this process's CPU: ${((used.user + used.system) / 1000 / latencies.length).toFixed(2)} ms per transition (${((used.user + used.system) / 1e6 / seconds).toFixed(2)} cores${dir ? ', SQLite included' : ", the database server's own not included"})`,
);
console.log(`rows written: ${events} events; ${outbox} outbox messages in the database`);
await store.close();
if (dir) rmSync(dir, { recursive: true, force: true });
