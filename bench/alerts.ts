// `npm run bench:alerts`: the real app (file database, the fake Slack in-process) taking
// monitoring alerts through `POST /api/v1/alerts/alertmanager` with an alerts token, as
// Alertmanager posts them. First a warm-up, reported on its own: each of BENCH_PROBLEMS distinct
// problems fires (each opens an incident) and then repeats until BENCH_WARMUP posts were taken
// (the process's code is compiled hot by then, as in a bot that has been up a while). Then the
// measured storms, one for each number of posts in flight in BENCH_CONCURRENCY (a list): every
// problem repeats BENCH_REPEATS more times, interleaved, each repeat adding to its open run
// (de-duplication). The posts come from a child process, as from another program: the bot's
// process does only the bot's work. Prints alerts taken per second and the latency percentiles
// of the 202 for each. Not part of `npm test`.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Load {
  url: string;
  token: string;
  /** The phases, posted one after the other, each with its number of posts in flight. */
  phases: { bodies: string[]; concurrency: number }[];
}
interface Result {
  latencies: number[];
  failed: number;
  seconds: number;
}

/** The monitoring side: posts every body of a phase, `concurrency` at a time. */
async function post(url: string, token: string, bodies: string[], concurrency: number): Promise<Result> {
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  async function sender() {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const t0 = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.status !== 202) failed++;
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, sender));
  return { latencies, failed, seconds: (performance.now() - started) / 1000 };
}

/** Alerts a second and the 202's latency percentiles of one phase. */
function figures(alerts: number, { latencies, failed, seconds }: Result) {
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
  return {
    alerts,
    failed,
    alertsPerSecond: Math.round(alerts / seconds),
    latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), max: latencies.at(-1)!.toFixed(1) },
  };
}

if (process.env.BENCH_ROLE === 'client') {
  process.once('message', async ({ url, token, phases }: Load) => {
    const results: Result[] = [];
    for (const { bodies, concurrency } of phases) results.push(await post(url, token, bodies, concurrency));
    process.send!(results, () => process.exit(0));
  });
} else {
  const { fixture } = await import('../test/alerts/fixtures.ts');
  const { startHarness } = await import('../test/support/app-harness.ts');
  const PROBLEMS = Number(process.env.BENCH_PROBLEMS ?? 50);
  const WARMUP = Math.max(PROBLEMS, Number(process.env.BENCH_WARMUP ?? 3000));
  const REPEATS = Number(process.env.BENCH_REPEATS ?? 200);
  const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '4,8,16').split(',').map(Number);

  const h = await startHarness({
    env: { INCIDENT_CHANNEL: 'CINCIDENTS' },
    outbox: { pollMs: 50, channelIntervalMs: 1000 },
  });
  const { token } = await h.core.tokens.create('bench-monitoring', { kind: 'alerts' });
  const url = `http://127.0.0.1:${h.app.port}/api/v1/alerts/alertmanager`;
  const template = fixture('alertmanager-firing') as { groupKey: string };

  /** `count` posts going round the problems: problem 0, 1, …, 0, 1, … */
  const round = (count: number) =>
    Array.from({ length: count }, (_, i) =>
      JSON.stringify({ ...template, groupKey: `${template.groupKey}/${i % PROBLEMS}` }),
    );
  const warmup = round(WARMUP);
  const storm = round(PROBLEMS * REPEATS);

  const load: Load = {
    url,
    token,
    phases: [
      { bodies: warmup, concurrency: CONCURRENCY.at(-1)! },
      ...CONCURRENCY.map((concurrency) => ({ bodies: storm, concurrency })),
    ],
  };
  const [warm, ...storms] = await new Promise<Result[]>((resolve, reject) => {
    const client = fork(fileURLToPath(import.meta.url), {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_ROLE: 'client' },
    });
    client.once('message', (m) => resolve(m as Result[]));
    client.once('error', reject);
    client.send(load);
  });
  const incidents = await h.core.store.read.runs.list({ chain: 'incident' });
  console.log(
    JSON.stringify(
      {
        problems: PROBLEMS,
        incidentsOpened: incidents.length,
        warmup: { ...figures(warmup.length, warm!), opened: PROBLEMS, concurrency: CONCURRENCY.at(-1) },
        storms: storms.map((result, i) => ({
          concurrency: CONCURRENCY[i],
          ...figures(storm.length, result),
          repeatsPerProblem: REPEATS,
        })),
        database: 'SQLite file',
        client: 'another process',
      },
      null,
      2,
    ),
  );
  await h.close();
}
