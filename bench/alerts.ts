// `npm run bench:alerts`: the real app (file database, the fake Slack in-process) taking
// monitoring alerts through `POST /api/v1/alerts/alertmanager` with an alerts token, as
// Alertmanager posts them: BENCH_PROBLEMS distinct problems (each opens an incident), each fired
// BENCH_REPEATS times (repeats add to its run), BENCH_CONCURRENCY posts in flight. The posts come
// from a child process, as from another program: the bot's process does only the bot's work.
// Prints alerts taken per second and the latency percentiles of the 202. Not part of `npm test`.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Load {
  url: string;
  token: string;
  bodies: string[];
  concurrency: number;
}
interface Result {
  latencies: number[];
  failed: number;
  seconds: number;
}

/** The monitoring side: posts every body, `concurrency` at a time. */
async function post({ url, token, bodies, concurrency }: Load): Promise<Result> {
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

if (process.env.BENCH_ROLE === 'client') {
  process.once('message', async (load: Load) => {
    process.send!(await post(load), () => process.exit(0));
  });
} else {
  const { fixture } = await import('../test/alerts/fixtures.ts');
  const { startHarness } = await import('../test/support/app-harness.ts');
  const PROBLEMS = Number(process.env.BENCH_PROBLEMS ?? 50);
  const REPEATS = Number(process.env.BENCH_REPEATS ?? 60);
  const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

  const h = await startHarness({
    env: { INCIDENT_CHANNEL: 'CINCIDENTS' },
    outbox: { pollMs: 50, channelIntervalMs: 1000 },
  });
  const { token } = await h.core.tokens.create('bench-monitoring', { kind: 'alerts' });
  const url = `http://127.0.0.1:${h.app.port}/api/v1/alerts/alertmanager`;
  const template = fixture('alertmanager-firing') as { groupKey: string };

  // Every problem's repeats, interleaved: problem 0, 1, …, 0, 1, …
  const bodies: string[] = [];
  for (let r = 0; r < REPEATS; r++)
    for (let p = 0; p < PROBLEMS; p++)
      bodies.push(JSON.stringify({ ...template, groupKey: `${template.groupKey}/${p}` }));

  const load: Load = { url, token, bodies, concurrency: CONCURRENCY };
  const { latencies, failed, seconds } = await new Promise<Result>((resolve, reject) => {
    const client = fork(fileURLToPath(import.meta.url), {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_ROLE: 'client' },
    });
    client.once('message', (m) => resolve(m as Result));
    client.once('error', reject);
    client.send(load);
  });
  const incidents = await h.core.store.read.runs.list({ chain: 'incident' });
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
  console.log(
    JSON.stringify(
      {
        alerts: bodies.length,
        problems: PROBLEMS,
        incidentsOpened: incidents.length,
        failed,
        alertsPerSecond: Math.round(bodies.length / seconds),
        latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), max: latencies.at(-1)!.toFixed(1) },
        concurrency: CONCURRENCY,
        database: 'SQLite file',
        client: 'another process',
      },
      null,
      2,
    ),
  );
  await h.close();
}
