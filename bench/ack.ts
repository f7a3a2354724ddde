// `npm run bench:ack`: how fast the bot acknowledges `/lead <text>`. Signed slash commands
// from 50 concurrent connections go to the real app (fake Slack, temp-file database, every
// request starting a run and its messages going out through the outbox), then to a bare Bolt
// app that only acks. Prints both throughputs and p50/p99 ack latencies.
// Goal: p99 ≤ 50 ms, and throughput ≥ 0.5× the bare app's.
// With DATABASE_URL a `postgres://…` URL it scales out instead: BENCH_REPLICAS bot processes
// (default 3) on that database share the load, against one bot process on a SQLite file in the
// same run. Goal: the replicas' throughput ≥ 1.5× the one process's.
import { type ChildProcess, fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { App, LogLevel } from '@slack/bolt';
import { startHarness } from '../test/support/app-harness.ts';
import { signSlackRequest } from '../test/support/slack-driver.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const WARMUP = Math.min(200, Math.floor(REQUESTS / 10));
const SECRET = 'bench-signing-secret';

interface Result {
  name: string;
  throughput: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  /** The load generator's own CPU over the timed part, in cores (it shares the machine). */
  loadCores: number;
}

function post(agent: Agent, url: URL, body: string, nowMs: number): Promise<number> {
  const ts = Math.floor(nowMs / 1000);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': signSlackRequest(SECRET, ts, body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Target {
  url: URL;
  clock: () => number;
}

/** Requests go round-robin to the targets (replicas behind a load balancer). */
async function load(
  name: string,
  url: URL | Target[],
  clock: () => number,
  body: (i: number) => string,
): Promise<Result> {
  const targets = Array.isArray(url) ? url : [{ url, clock }];
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  let errors = 0;
  const latencies: number[] = [];
  const worker = async (count: number, record: boolean) => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const started = performance.now();
      const target = targets[i % targets.length]!;
      const status = await post(agent, target.url, body(i), target.clock()).catch(() => 0);
      if (status !== 200) errors += 1;
      if (record) latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, () => worker(WARMUP, false)));
  next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: CONNECTIONS }, () => worker(REQUESTS, true)));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    name,
    throughput: REQUESTS / seconds,
    p50: at(0.5),
    p99: at(0.99),
    max: latencies.at(-1) ?? 0,
    errors,
    loadCores: (used.user + used.system) / 1e6 / seconds,
  };
}

const slashBody = (text: string, responseUrl: string) =>
  new URLSearchParams({
    token: 'bench',
    team_id: 'T0FAKETEAM',
    channel_id: 'CBENCH',
    user_id: 'UBENCH',
    command: '/lead',
    text,
    response_url: responseUrl,
    trigger_id: 'bench.trigger',
    api_app_id: 'A0PROJLEAD',
  }).toString();

/**
 * A target exits cleanly on SIGTERM/SIGINT rather than being killed, so `--cpu-prof`
 * (BENCH_PROF=1) gets to write its profile. Nothing to drain: the bench has counted its runs.
 */
function exitOnSignal() {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
}

/** A target in its own process: prints `READY <url>`, then serves until told to stop. */
async function serve(kind: string) {
  if (kind === 'real') {
    // Production pacing: the outbox sends about one message a second per channel (Slack's
    // limit), so the fake Slack in this process is not flooded faster than Slack would allow.
    const h = await startHarness({
      outbox: { channelIntervalMs: Number(process.env.BENCH_CHANNEL_INTERVAL_MS ?? 1000), pollMs: 250 },
      env: {
        SLACK_SIGNING_SECRET: SECRET,
        ...(process.env.BENCH_DB ? { DATABASE_URL: process.env.BENCH_DB } : {}),
      },
    });
    // BENCH_NO_OUTBOX=1: measure without the outbox sending (what its work costs the acks).
    if (process.env.BENCH_NO_OUTBOX) await h.app.sender.stop();
    process.stdout.write(
      `READY ${h.appUrl} ${h.fake.createResponseUrl({ channelId: 'CBENCH', userId: 'UBENCH' })} ${h.clock.now() - Date.now()}\n`,
    );
    process.on('message', async (m) => {
      if (m !== 'count') return;
      process.send?.({ runs: await h.core.store.read.runs.count() });
    });
    exitOnSignal();
    return;
  }
  const bare = new App({
    signingSecret: SECRET,
    token: 'xoxb-bench',
    botId: 'B0BENCH',
    botUserId: 'U0BENCH',
    logLevel: LogLevel.ERROR,
  });
  bare.command('/lead', async ({ ack }) => {
    await ack();
  });
  const server = (await bare.start(0)) as unknown as { address(): AddressInfo };
  exitOnSignal();
  process.stdout.write(
    `READY http://127.0.0.1:${server.address().port}/slack/events http://127.0.0.1:1/unused 0\n`,
  );
}

async function spawnTarget(kind: string, env: Record<string, string> = {}) {
  const child = fork(fileURLToPath(import.meta.url), ['serve', kind], {
    env: { ...process.env, ...env },
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_PROF && kind === 'real' ? ['--cpu-prof', '--cpu-prof-dir=/tmp/ackprof'] : []),
    ],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+) (\S+) (-?\d+)/.exec(out);
      if (m) resolve(m[0]);
    });
    child.once('exit', (code) => reject(new Error(`${kind} target exited with ${code}`)));
  });
  const [, url, responseUrl, offset] = line.split(' ');
  // The target's clock (the harness starts it at a fixed date): requests are signed with it.
  const clock = () => Date.now() + Number(offset);
  return { child, url: new URL(url!), responseUrl: responseUrl!, clock };
}

/** SIGTERM, and wait for the exit (a profile is written by then). */
function stopTarget(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Runs the targets started, read from one of them (they share one database). */
async function runsStarted(child: ChildProcess, expected: number): Promise<number> {
  const deadline = Date.now() + 120_000;
  let runs = 0;
  while (runs < expected && Date.now() < deadline) {
    runs = await new Promise<number>((resolve) => {
      child.once('message', (m) => resolve((m as { runs: number }).runs));
      child.send('count');
    });
    if (runs < expected) await new Promise((r) => setTimeout(r, 100));
  }
  return runs;
}

async function scaleOut(databaseUrl: string) {
  const replicas = Number(process.env.BENCH_REPLICAS ?? 3);
  const body = (responseUrl: string) => (i: number) =>
    slashBody(`feature Bench request number ${i}: export the weekly report as CSV`, responseUrl);
  const one = await spawnTarget('real', { BENCH_DB: '' });
  const single = await load('1 process, SQLite', one.url, one.clock, body(one.responseUrl));
  const singleRuns = await runsStarted(one.child, REQUESTS + WARMUP);
  await stopTarget(one.child);
  const many = await Promise.all(
    Array.from({ length: replicas }, () => spawnTarget('real', { BENCH_DB: databaseUrl })),
  );
  const before = await runsStarted(many[0]!.child, 0);
  const scaled = await load(`${replicas} processes, PostgreSQL`, many, () => 0, body(many[0]!.responseUrl));
  const manyRuns = (await runsStarted(many[0]!.child, before + REQUESTS + WARMUP)) - before;
  await Promise.all(many.map((t) => stopTarget(t.child)));
  const fmt = (r: Result) =>
    `${r.name.padEnd(26)} ${r.throughput.toFixed(0).padStart(6)} req/s   p50 ${r.p50.toFixed(1).padStart(6)} ms   p99 ${r.p99.toFixed(1).padStart(6)} ms   errors ${r.errors}   load generator ${r.loadCores.toFixed(2)} cores`;
  console.log(
    `${REQUESTS} signed /lead requests, ${CONNECTIONS} concurrent connections (after ${WARMUP} warm-up), on ${availableParallelism()} cores shared by the load generator, the bot processes and PostgreSQL`,
  );
  console.log(`${fmt(single)}   runs ${singleRuns}`);
  console.log(`${fmt(scaled)}   runs ${manyRuns}`);
  const ratio = scaled.throughput / single.throughput;
  console.log(
    `throughput ratio ${ratio.toFixed(2)} (goal ≥ 1.5): ${ratio >= 1.5 ? 'goal met' : 'goal NOT met'}`,
  );
}

async function main() {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl && /^postgres(ql)?:\/\//i.test(databaseUrl)) return scaleOut(databaseUrl);
  // Each target runs in its own process, as it would in production: the load generator's work
  // is not counted against it. The real app shares its process with the fake Slack it posts to.
  const real = await spawnTarget('real');
  const realResult = await load('ProjectLead', real.url, real.clock, (i) =>
    slashBody(`feature Bench request number ${i}: export the weekly report as CSV`, real.responseUrl),
  );
  // The work after each ack (starting the run) goes on after the last ack: wait for it.
  const expected = REQUESTS + WARMUP;
  const runs = await runsStarted(real.child, expected);
  await stopTarget(real.child);

  const bare = await spawnTarget('bare');
  const baseline = await load('bare Bolt (ack only)', bare.url, bare.clock, (i) =>
    slashBody(`feature Bench request number ${i}`, bare.responseUrl),
  );
  await stopTarget(bare.child);

  const fmt = (r: Result) =>
    `${r.name.padEnd(22)} ${r.throughput.toFixed(0).padStart(6)} req/s   p50 ${r.p50.toFixed(1).padStart(6)} ms   p99 ${r.p99.toFixed(1).padStart(6)} ms   max ${r.max.toFixed(1).padStart(6)} ms   errors ${r.errors}`;
  console.log(
    `${REQUESTS} signed /lead requests, ${CONNECTIONS} concurrent connections (after ${WARMUP} warm-up)`,
  );
  console.log(fmt(realResult));
  console.log(fmt(baseline));
  const ratio = realResult.throughput / baseline.throughput;
  console.log(
    `runs started: ${runs} of ${expected}; throughput ratio ${ratio.toFixed(2)} (goal ≥ 0.5); p99 ${realResult.p99.toFixed(1)} ms (goal ≤ 50)`,
  );
  console.log(realResult.p99 <= 50 && ratio >= 0.5 ? 'goal met' : 'goal NOT met');
}

(process.argv[2] === 'serve' ? serve(process.argv[3] ?? 'bare') : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
