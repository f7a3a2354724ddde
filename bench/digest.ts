// `npm run bench:digest`: the weekly digest over 100,000 runs and 1,000,000 events, and one
// scheduler tick over 100,000 pending timers of which 1,000 are due. Targets: digest ≤ 500 ms
// and ≤ 300 MB peak RSS; tick ≤ 50 ms. Not part of `npm test`.
//
// The database is seeded by a child process (raw inserts), so the peak RSS measured here is
// the bot's: opening the file, building the digest, firing the tick.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlaybooks } from '../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../routing/roles.ts';
import { createScheduler } from '../src/jobs/scheduler.ts';
import { openDatabase } from '../src/persistence/sqlite/database.ts';
import { SqliteStore } from '../src/persistence/sqlite/store.ts';
import { planStepTimers } from '../src/services/clocks/deadline-policy.ts';
import { createDigestService } from '../src/services/digests/digest-service.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 100_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const TIMERS = Number(process.env.BENCH_TIMERS ?? 100_000);
const DUE = Number(process.env.BENCH_DUE ?? 1_000);
const OPEN_SHARE = 0.05;
const NOW = Date.UTC(2026, 10, 2, 9, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const directory = loadRoleDirectory();
const playbooks = loadPlaybooks({ knownRoles: new Set(directory.names) });

function seed(path: string) {
  const db = openDatabase(path);
  const s = db.sqlite;
  s.pragma('synchronous = OFF');
  const insRun = s.prepare(
    `insert into runs (id, chain, seq, title, request_text, requester, channel_id, thread_ts, root_ts, source, status, severity, flags, projects, context, blocked_reason, version, created_at, updated_at, closed_at)
     values (?, ?, ?, ?, '', 'UREQ', 'CDEV', ?, ?, 'slash', ?, ?, '[]', '["backend"]', ?, ?, 1, ?, ?, ?)`,
  );
  const insStep = s.prepare(
    `insert into steps (run_id, idx, key, title, owners, approvers, watchers, assignees, deliveries, spec, status, output, notes, block_reason, blocked_by, blocked_by_role, version, started_at, acknowledged_at, completed_at)
     values (?, ?, ?, ?, ?, '[]', '[]', ?, '{}', '{"output":null,"gate":null,"collects":[],"required":false,"manualSkip":false}', ?, ?, '[]', ?, ?, ?, 1, ?, null, ?)`,
  );
  const insEvent = s.prepare(
    `insert into events (run_id, at, actor, type, step_key, data) values (?, ?, 'UREQ', ?, ?, ?)`,
  );
  const insTimer = s.prepare(
    `insert into timers (run_id, step_id, kind, due_at, status, data, created_at) values (?, ?, ?, ?, 'pending', ?, ?)`,
  );
  const seqs = new Map<string, number>();
  const eventsPerRun = Math.max(1, Math.round(EVENTS / RUNS));
  const openSteps: {
    runId: string;
    stepId: number;
    severity: string | null;
    chain: string;
    key: string;
    started: number;
  }[] = [];
  let events = 0;
  s.exec('BEGIN');
  for (let i = 0; i < RUNS; i++) {
    const pb = playbooks[i % playbooks.length]!;
    const seq = (seqs.get(pb.prefix) ?? 0) + 1;
    seqs.set(pb.prefix, seq);
    const id = `${pb.prefix}-${seq}`;
    const created = NOW - Math.floor(((RUNS - i) / RUNS) * 365 * DAY);
    const open = i % Math.round(1 / OPEN_SHARE) === 0;
    const blocked = open && i % 200 === 0;
    const status = open
      ? blocked
        ? 'blocked'
        : 'active'
      : i % 25 === 0
        ? 'rejected'
        : i % 33 === 0
          ? 'cancelled'
          : 'done';
    const closed = open ? null : created + (1 + (i % 72)) * HOUR;
    const severity =
      pb.id === 'incident'
        ? ['sev1', 'sev2', 'sev3'][i % 3]!
        : pb.id === 'bug'
          ? ['critical', 'high', 'medium', 'low'][i % 4]!
          : null;
    const ts = `${Math.floor(created / 1000)}.000100`;
    const context = JSON.stringify({ summary: [`${pb.title} run`], notices: [], noticesSent: [] });
    insRun.run(
      id,
      pb.id,
      seq,
      `${pb.title} request ${i}`,
      ts,
      ts,
      status,
      severity,
      context,
      blocked ? 'waiting on a vendor' : null,
      created,
      closed ?? created,
      closed,
    );
    const current = open ? i % pb.steps.length : -1;
    pb.steps.forEach((st, idx) => {
      const stepStatus = open
        ? idx < current
          ? 'done'
          : idx === current
            ? blocked
              ? 'blocked'
              : 'active'
            : 'pending'
        : 'done';
      const started = created + idx * HOUR;
      const owners = JSON.stringify(st.owners.map((o) => (o.startsWith('$') ? 'BackendLead' : o)));
      const assignees = JSON.stringify(
        Object.fromEntries(
          st.owners.map((o) => [
            o.startsWith('$') ? 'BackendLead' : o,
            [`U${o.replace('$', '').toUpperCase()}`],
          ]),
        ),
      );
      const r = insStep.run(
        id,
        idx,
        st.key,
        st.title,
        owners,
        assignees,
        stepStatus,
        stepStatus === 'done' ? 'done' : null,
        stepStatus === 'blocked' ? 'waiting on a vendor' : null,
        stepStatus === 'blocked' ? 'UOPS' : null,
        stepStatus === 'blocked' ? 'OpsCommander' : null,
        stepStatus === 'pending' ? null : started,
        stepStatus === 'done' ? started + HOUR : null,
      );
      if (stepStatus === 'active' || stepStatus === 'blocked') {
        openSteps.push({
          runId: id,
          stepId: Number(r.lastInsertRowid),
          severity,
          chain: pb.id,
          key: st.key,
          started: NOW - (i % 48) * HOUR,
        });
      }
    });
    for (let k = 0; k < eventsPerRun && events < EVENTS; k++, events++) {
      const step = pb.steps[k % pb.steps.length]!;
      insEvent.run(
        id,
        created + k * 60_000,
        k === 0 ? 'run_started' : 'step_completed',
        k === 0 ? null : step.key,
        '{"output":"done"}',
      );
    }
  }
  // Timers: the real plan for every open step, then future ones up to TIMERS, DUE of them due.
  let timers = 0;
  let due = 0;
  for (const o of openSteps) {
    const plan = planStepTimers(
      {
        playbook: playbooks.find((p) => p.id === o.chain),
        run: { severity: o.severity as never },
        step: { key: o.key, acknowledgedAt: null },
        start: o.started,
      },
      { workTimeZone: 'UTC' },
    );
    for (const p of plan) {
      if (timers >= TIMERS) break;
      // DUE timers are due at NOW and DUE more at the next tick (NOW + 30 s); the others later.
      const dueAt =
        due < DUE ? NOW - 1000 : due < 2 * DUE ? NOW + 30_000 : Math.max(p.dueAt, NOW + HOUR + timers);
      if (dueAt <= NOW + 30_000) due++;
      insTimer.run(o.runId, o.stepId, p.kind, dueAt, JSON.stringify(p.data), o.started);
      timers++;
    }
  }
  for (let i = 0; timers < TIMERS; i++, timers++) {
    const o = openSteps[i % openSteps.length]!;
    insTimer.run(o.runId, o.stepId, 'done_reminder', NOW + DAY + i * 1000, '{"label":"bench"}', NOW);
  }
  s.exec('COMMIT');
  s.exec('ANALYZE');
  db.close();
  return { runs: RUNS, events, timers, due: Math.min(due, DUE), open: openSteps.length };
}

if (process.argv[2] === '--seed') {
  const t0 = performance.now();
  const out = seed(process.argv[3]!);
  process.stdout.write(`${JSON.stringify({ ...out, seedMs: Math.round(performance.now() - t0) })}\n`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'bench-digest-'));
const path = join(dir, 'bench.sqlite');
const child = spawnSync(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(import.meta.url), '--seed', path],
  {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  },
);
if (child.status !== 0) throw new Error(`seeding failed (${child.status})`);
const seeded = JSON.parse(child.stdout.trim().split('\n').at(-1)!);
console.log(
  `seeded: ${seeded.runs} runs (${seeded.open} open), ${seeded.events} events, ${seeded.timers} pending timers (${seeded.due} due) in ${seeded.seedMs} ms`,
);

const db = openDatabase(path);
const store = new SqliteStore(db);
const clock = () => NOW;
const digests = createDigestService({
  store,
  clock,
  timeZone: 'Europe/Paris',
  channel: 'CALGO',
  playbooks,
  workerId: 'bench',
});

const runs: number[] = [];
let digest = await digests.buildDigest('weekly', NOW);
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  digest = await digests.buildDigest('weekly', NOW);
  runs.push(performance.now() - t0);
}
const t0 = performance.now();
const posted = await digests.postDigest('weekly');
const postMs = performance.now() - t0;

let tickNow = NOW;
const scheduler = createScheduler({ store, clock: () => tickNow, workerId: 'bench', directory });
// The first tick after start (cold: statements and code paths not warmed up yet), then the
// steady state a tick every 30 s sees.
let t1 = performance.now();
const firstFired = await scheduler.tick();
const firstTickMs = performance.now() - t1;
tickNow = NOW + 30_000;
t1 = performance.now();
const fired = await scheduler.tick();
const tickMs = performance.now() - t1;
const peakMb = process.resourceUsage().maxRSS / 1024;

const median = [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
const coldish = runs[0]!;
console.log(
  `weekly digest: median ${median.toFixed(1)} ms, first ${coldish.toFixed(1)} ms (target ≤ 500 ms); ` +
    `posted in ${postMs.toFixed(1)} ms (${posted.posted ? 'claimed' : posted.reason}); ` +
    `${digest.shipped.total} shipped, ${digest.pending.total} pending, ${digest.blocked.total} blocked, ${digest.overdue.total} overdue`,
);
console.log(
  `scheduler tick over ${seeded.timers} pending timers: ${fired.length} fired in ${tickMs.toFixed(1)} ms (target ≤ 50 ms); ` +
    `first tick after start ${firstFired.length} fired in ${firstTickMs.toFixed(1)} ms`,
);
console.log(`peak RSS: ${peakMb.toFixed(0)} MB (target ≤ 300 MB)`);
await store.close();
rmSync(dir, { recursive: true, force: true });
const ok =
  median <= 500 &&
  tickMs <= 50 &&
  peakMb <= 300 &&
  fired.length === seeded.due &&
  firstFired.length === seeded.due;
console.log(ok ? 'OK' : 'OVER TARGET');
process.exitCode = ok ? 0 : 1;
