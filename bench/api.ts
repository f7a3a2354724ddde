// `npm run bench:api`: the real app (file database, the fake Slack in-process) driven through the
// HTTP API alone: agents with tokens start Incident Response runs and complete every step, a few
// at a time. Prints complete-step calls per second and their latency percentiles through HTTP,
// and the delivery latency of the `step.completed` webhooks to a local receiver (from the API
// call to the receiver). The agents and their webhook receiver run in a child process, as
// programs of their own: the bot's process does only the bot's work. Not part of `npm test`.
// BENCH_RUNS (default 300), BENCH_AGENTS (4); BENCH_POLL_MS (outbox poll, 50) and
// BENCH_SLACK_INTERVAL_MS (Slack pacing per channel, 1000); BENCH_OUTBOX=off stops the outbox and
// subscribes no webhook: it measures the API alone, without the outbox's work beside it.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/** What the agents are given: where the API is, every role's token, how much to do. */
interface Work {
  base: string;
  tokens: [role: string, token: string][];
  requester: string;
  runs: number;
  agents: number;
  /** Whether webhooks are delivered (the outbox runs), so the agents wait for them. */
  webhooks: boolean;
}
interface Result {
  completeMs: number[];
  deliveryMs: number[];
  expectedDeliveries: number;
  seconds: number;
  /** The agents' process's CPU over their walk, in cores. */
  agentCores: number;
  refusals: number;
  linkedRuns: number;
}
type RunJson = {
  id: string;
  status: string;
  steps: { key: string; status: string; owners: string[] }[];
  links?: { relation: string; runId: string; step?: string; status: string }[];
};

/** The agents' side: a webhook receiver, then every run walked to its end through the API. */
async function agents(ready: (receiverPort: number) => void, work: Promise<Work>): Promise<Result> {
  // When each step.completed arrived, against when its API call was sent.
  const sentAt = new Map<string, number>();
  const deliveryMs: number[] = [];
  const receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      const body = JSON.parse(text) as { type: string; data: { run_id: string; step_key: string } };
      if (body.type === 'step.completed') {
        const sent = sentAt.get(`${body.data.run_id}/${body.data.step_key}`);
        if (sent !== undefined) deliveryMs.push(performance.now() - sent);
      }
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  ready((receiver.address() as AddressInfo).port);
  const { base, requester, runs, agents: count, webhooks, ...w } = await work;
  const tokens = new Map(w.tokens);

  async function post(token: string, path: string, body: unknown) {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the answer is read field by field
    return { status: res.status, json: (await res.json()) as any };
  }
  async function get(id: string): Promise<RunJson> {
    const res = await fetch(`${base}/runs/${id}`, { headers: { authorization: `Bearer ${requester}` } });
    return ((await res.json()) as { run: RunJson }).run;
  }

  const completeMs: number[] = [];
  let refusals = 0;
  let linkedRuns = 0;
  // Walks a run to its end by its owners' tokens. A step that runs a linked chain (Permanent Fix
  // runs a Bug Fix) is done when that run is: the walk goes into it, then reads the parent again.
  async function walkRun(start: RunJson): Promise<void> {
    let run = start;
    while (run.status === 'active') {
      const step = run.steps.find((s) => s.status === 'active')!;
      const child = run.links?.find((l) => l.relation === 'step' && l.step === step.key);
      if (child) {
        linkedRuns++;
        await walkRun(await get(child.runId));
        run = await get(run.id);
        continue;
      }
      let moved = false;
      for (const role of step.owners) {
        const token = tokens.get(role);
        if (!token) continue;
        sentAt.set(`${run.id}/${step.key}`, performance.now());
        const t0 = performance.now();
        const res = await post(token, `/runs/${run.id}/steps/${step.key}/complete`, { output: 'ok' });
        if (res.status !== 200) {
          refusals++;
          continue;
        }
        completeMs.push(performance.now() - t0);
        run = res.json.run as RunJson;
        moved = true;
        if (run.steps.find((s) => s.key === step.key)!.status !== 'active') break;
      }
      if (!moved) throw new Error(`no owner could complete ${run.id} ${step.key}`);
    }
  }
  async function walk(i: number) {
    const started = await post(requester, '/requests', {
      text: `Checkout API degraded for some users (${i})`,
      chain: 'incident',
      channel: `CBENCH${i % 20}`,
    });
    await walkRun(started.json.run as RunJson);
  }

  const t0 = performance.now();
  const cpu = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (next < runs) await walk(next++);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  // Wait for the webhooks still on their way.
  const deadline = webhooks ? Date.now() + 30_000 : 0;
  while (deliveryMs.length < sentAt.size && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  receiver.close();
  return {
    completeMs,
    deliveryMs,
    expectedDeliveries: webhooks ? sentAt.size : 0,
    seconds,
    agentCores: (used.user + used.system) / 1e6 / seconds,
    refusals,
    linkedRuns,
  };
}

if (process.env.BENCH_ROLE === 'agents') {
  const work = new Promise<Work>((resolve) => process.once('message', (m) => resolve(m as Work)));
  const result = await agents((port) => process.send!({ port }), work);
  process.send!(result, () => process.exit(0));
} else {
  const { startHarness, userFor } = await import('../test/support/app-harness.ts');
  const RUNS = Number(process.env.BENCH_RUNS ?? 300);
  const AGENTS = Number(process.env.BENCH_AGENTS ?? 4);

  // The outbox polls and paces Slack as the bot does (a message a second per channel); runs are
  // spread over channels, as requests come from many.
  const h = await startHarness({
    env: { API_RATE_LIMIT: '1000000' },
    outbox: {
      pollMs: Number(process.env.BENCH_POLL_MS ?? 50),
      channelIntervalMs: Number(process.env.BENCH_SLACK_INTERVAL_MS ?? 1000),
    },
  });

  const outbox = process.env.BENCH_OUTBOX !== 'off';
  if (!outbox) await h.app.sender.stop();

  // Every role's holder gets a token, and one more for the requester.
  const tokens: [string, string][] = [];
  for (const role of h.core.directory.names)
    tokens.push([
      role,
      (await h.core.tokens.create(`bench-${role.toLowerCase()}`, { kind: 'user', userId: userFor(role) }))
        .token,
    ]);
  const requester = (await h.core.tokens.create('bench-requester', { kind: 'user', userId: 'UBENCHREQ' }))
    .token;

  const client = fork(fileURLToPath(import.meta.url), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_ROLE: 'agents' },
  });
  // The agents' messages in order; the process exiting first fails whoever waits for one.
  const messages: unknown[] = [];
  const waiters: { resolve: (m: unknown) => void; reject: (e: Error) => void }[] = [];
  let exited: Error | null = null;
  client.on('message', (m) => {
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(m);
    else messages.push(m);
  });
  client.once('exit', (code) => {
    exited = new Error(`the agents' process exited (${code})`);
    for (const w of waiters.splice(0)) w.reject(exited);
  });
  const nextMessage = <T>() =>
    new Promise<T>((resolve, reject) => {
      if (messages.length > 0) resolve(messages.shift() as T);
      else if (exited) reject(exited);
      else waiters.push({ resolve: (m) => resolve(m as T), reject });
    });

  const { port } = await nextMessage<{ port: number }>();
  if (outbox) await h.core.webhooks.add({ url: `http://127.0.0.1:${port}/`, userId: null });
  const work: Work = {
    base: `http://127.0.0.1:${h.app.port}/api/v1`,
    tokens,
    requester,
    runs: RUNS,
    agents: AGENTS,
    webhooks: outbox,
  };
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  client.send(work);
  const r = await nextMessage<Result>();
  const botUsed = process.cpuUsage(cpu);
  const botMs = (botUsed.user + botUsed.system) / 1000;
  const botSeconds = (performance.now() - t0) / 1000;

  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
  };
  const fmt = (x: number) => `${x.toFixed(1)} ms`;
  const calls = r.completeMs.length;
  console.log(
    `bench:api: ${RUNS} Incident Response runs, ${AGENTS} agents in parallel (another process), through HTTP on a file database`,
  );
  console.log(
    `complete-step calls: ${calls} in ${r.seconds.toFixed(1)} s = ${(calls / r.seconds).toFixed(0)} verbs/s (requests and refusals besides: ${RUNS} starts, ${r.linkedRuns} linked Bug Fix runs walked, ${r.refusals} refused)`,
  );
  console.log(
    `  latency p50 ${fmt(pct(r.completeMs, 50))}  p90 ${fmt(pct(r.completeMs, 90))}  p99 ${fmt(pct(r.completeMs, 99))}  max ${fmt(Math.max(...r.completeMs))}`,
  );
  if (outbox)
    console.log(
      `webhook step.completed deliveries: ${r.deliveryMs.length}/${r.expectedDeliveries}  latency p50 ${fmt(pct(r.deliveryMs, 50))}  p99 ${fmt(pct(r.deliveryMs, 99))}`,
    );
  else console.log('outbox stopped (BENCH_OUTBOX=off): no Slack messages, no webhooks');
  console.log(
    `CPU: the bot ${(botMs / (calls + RUNS)).toFixed(2)} ms per call (${(botMs / 1000 / botSeconds).toFixed(2)} cores), the agents' process ${r.agentCores.toFixed(2)} cores, of ${availableParallelism()}`,
  );
  await h.close();
  process.exit(0);
}
