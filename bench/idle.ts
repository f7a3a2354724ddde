// `npm run bench:idle`: how lean the bot is at rest. Starts the bot as `npm start` runs it (the
// command of package.json's `start` script, without npm around it) in HTTP mode, on a free
// port, with a temp-file database and the project's fake Slack as SLACK_API_URL; polls
// `GET /healthz` every 5 ms from the spawn; then lets it idle and reads its RSS (the sum over
// its process tree, from /proc). Then one signed `/lead` request with free text (the classifier
// runs) and the RSS after idling again. Several runs; prints each and the min and median.
// Goal: ready ≤ 1 s, idle RSS ≤ 120 MB. Not part of `npm test`. Linux only (reads /proc).
// BENCH_RUNS (default 5), BENCH_IDLE_MS (default 5000), BENCH_START (a command instead of `start`'s).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSlack } from '../test/support/fake-slack.ts';
import { createSlackDriver } from '../test/support/slack-driver.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 5000);
const READY_TIMEOUT_MS = 30_000;
const SECRET = 'bench-signing-secret';

/**
 * The `start` script's command as argv (`node` is this Node), e.g. `node dist/src/main.js`;
 * BENCH_START overrides it (to compare ways of starting).
 */
function startCommand(): string[] {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
  const command = process.env.BENCH_START ?? pkg.scripts.start;
  // `exec node …`: the shell hands its process to node (so npm signals the bot itself).
  const argv = command
    .trim()
    .replace(/^exec\s+/, '')
    .split(/\s+/);
  if (argv.some((a) => /[|&;<>()$`'"]/.test(a)))
    throw new Error(`bench:idle runs a plain command; the start command is "${command}"`);
  if (argv[0] === 'node') argv[0] = process.execPath;
  return argv;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** The process and its descendants (a launcher's child counts). */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const tasks = readProc(out[i]!, `task/${out[i]}/children`);
    for (const child of tasks.split(/\s+/).filter(Boolean)) out.push(Number(child));
  }
  return out;
}

/** Resident memory of the process tree, in MB. */
function treeRssMb(pid: number): number {
  let kb = 0;
  for (const p of processTree(pid)) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readProc(p, 'status'));
    if (m) kb += Number(m[1]);
  }
  return kb / 1024;
}

/** CPU time (user + system, all threads) the process tree has used, in ms. */
function treeCpuMs(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const stat = readProc(p, 'stat');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return (ticks * 1000) / CLOCK_TICKS;
}
/** Linux's USER_HZ. */
const CLOCK_TICKS = 100;

async function waitReady(url: string, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the bot exited with code ${child.exitCode}`);
    const ok = await fetch(url)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return performance.now() - started;
    if (performance.now() - started > READY_TIMEOUT_MS) throw new Error('not ready in 30 s');
    await sleep(5);
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

interface Sample {
  readyMs: number;
  /** CPU time used until ready: what the wall time would be on an idle core, less I/O waits. */
  readyCpuMs: number;
  idleMb: number;
  afterRequestMb: number;
}

async function once(argv: string[]): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-idle-'));
  const fake = await startFakeSlack();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: String(port),
      DATABASE_URL: join(dir, 'bot.sqlite'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const readyMs = await waitReady(`${base}/healthz`, child, started);
    const readyCpuMs = treeCpuMs(child.pid!);
    await sleep(IDLE_MS);
    const idleMb = treeRssMb(child.pid!);
    const slack = createSlackDriver({ appUrl: `${base}/slack/events`, signingSecret: SECRET, fake });
    const { status } = await slack.slashCommand({
      text: 'the export button on the reports page does nothing since yesterday',
      userId: 'UBENCH',
      channelId: 'CBENCH',
    });
    if (status !== 200) throw new Error(`/lead answered ${status}`);
    await sleep(IDLE_MS);
    return { readyMs, readyCpuMs, idleMb, afterRequestMb: treeRssMb(child.pid!) };
  } finally {
    await stop(child);
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function main() {
  const argv = startCommand();
  console.log(`bench:idle: ${RUNS} runs of \`${argv.slice(1).join(' ')}\`, ${IDLE_MS / 1000} s idle`);
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = await once(argv);
    samples.push(s);
    console.log(
      `run ${i + 1}: ready ${s.readyMs.toFixed(0)} ms (CPU ${s.readyCpuMs.toFixed(0)} ms), idle RSS ${s.idleMb.toFixed(1)} MB, after one request ${s.afterRequestMb.toFixed(1)} MB`,
    );
  }
  for (const [label, key, unit] of [
    ['ready', 'readyMs', 'ms'],
    ['CPU until ready', 'readyCpuMs', 'ms'],
    ['idle RSS', 'idleMb', 'MB'],
    ['RSS after one request', 'afterRequestMb', 'MB'],
  ] as const) {
    const xs = samples.map((s) => s[key]);
    const digits = unit === 'ms' ? 0 : 1;
    console.log(
      `${label.padEnd(22)} min ${Math.min(...xs).toFixed(digits)} ${unit}, median ${median(xs).toFixed(digits)} ${unit}`,
    );
  }
  console.log('goal: ready ≤ 1000 ms, idle RSS ≤ 120 MB');
}

await main();
