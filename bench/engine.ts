// `npm run bench:engine`: 10,000 Incident Response runs (9 steps each) started and walked to
// completion through the run service on a file database. Prints transitions per second and
// latency percentiles per transition. Not part of `npm test`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlaybooks } from '../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../routing/roles.ts';
import { createActors } from '../src/core/actor.ts';
import { openDatabase } from '../src/persistence/sqlite/database.ts';
import { SqliteStore } from '../src/persistence/sqlite/store.ts';
import { createRoleService } from '../src/services/role-service.ts';
import { createRunService } from '../src/services/run-service.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'bench-engine-'));
const db = openDatabase(join(dir, 'bench.sqlite'));
const store = new SqliteStore(db);
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
async function timed<T>(fn: () => Promise<T>): Promise<T> {
  const t0 = process.hrtime.bigint();
  const out = await fn();
  latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  return out;
}

const started = performance.now();
for (let i = 0; i < RUNS; i++) {
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
  while (run.status === 'active') {
    const step = run.steps.find((s) => s.status === 'active')!;
    for (const role of step.owners.filter((r) => !step.deliveries[r])) {
      const id = run.id;
      // The actor is built per request, at the edge, as the bot does.
      run = await timed(async () =>
        runs.completeStep(id, await as(`U${role.toUpperCase()}`), { stepKey: step.key, output: 'ok' }),
      );
    }
  }
  if (run.status !== 'done') throw new Error(`${run.id} ended ${run.status}`);
}
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(3);
const events = db.sqlite.prepare('select count(*) n from events').get() as { n: number };
const outbox = db.sqlite.prepare('select count(*) n from outbox').get() as { n: number };
console.log(`runs: ${RUNS} (Incident Response, 9 steps, 2 of them parallel) on a WAL file database`);
console.log(
  `transitions: ${latencies.length} in ${seconds.toFixed(2)} s = ${(latencies.length / seconds).toFixed(0)} transitions/s`,
);
console.log(
  `latency per transition (ms): p50 ${pct(50)}  p90 ${pct(90)}  p99 ${pct(99)}  max ${latencies.at(-1)!.toFixed(3)}`,
);
console.log(`rows written: ${events.n} events, ${outbox.n} outbox messages`);
await store.close();
rmSync(dir, { recursive: true, force: true });
