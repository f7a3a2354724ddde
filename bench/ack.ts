// `npm run bench:ack`: how fast the bot acknowledges `/lead <text>`. Signed slash commands
// from 50 concurrent connections go to the real app (fake Slack, temp-file database, every
// request starting a run and its messages going out through the outbox), then to a bare Bolt
// app that only acks. Prints both throughputs and p50/p99 ack latencies.
// Goal: p99 ≤ 50 ms, and throughput ≥ 0.5× the bare app's.
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
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

async function load(
  name: string,
  url: URL,
  clock: () => number,
  body: (i: number) => string,
): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  let errors = 0;
  const latencies: number[] = [];
  const worker = async (count: number, record: boolean) => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const started = performance.now();
      const status = await post(agent, url, body(i), clock()).catch(() => 0);
      if (status !== 200) errors += 1;
      if (record) latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, () => worker(WARMUP, false)));
  next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, () => worker(REQUESTS, true)));
  const seconds = (performance.now() - started) / 1000;
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

async function main() {
  const h = await startHarness({ env: { SLACK_SIGNING_SECRET: SECRET } });
  const responseUrl = h.fake.createResponseUrl({ channelId: 'CBENCH', userId: 'UBENCH' });
  if (process.env.BENCH_NO_OUTBOX) await h.app.sender.stop();
  const real = await load('ProjectLead', new URL(h.appUrl), h.clock.now, (i) =>
    slashBody(`feature Bench request number ${i}: export the weekly report as CSV`, responseUrl),
  );
  // The work after each ack (starting the run) goes on after the last ack: wait for it.
  const expected = REQUESTS + WARMUP;
  const deadline = Date.now() + 120_000;
  while ((await h.core.store.read.runs.count()) < expected && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const runs = await h.core.store.read.runs.count();
  await h.close();

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
  const bareUrl = new URL(`http://127.0.0.1:${server.address().port}/slack/events`);
  const baseline = await load('bare Bolt (ack only)', bareUrl, Date.now, (i) =>
    slashBody(`feature Bench request number ${i}`, responseUrl),
  );
  await bare.stop();

  const fmt = (r: Result) =>
    `${r.name.padEnd(22)} ${r.throughput.toFixed(0).padStart(6)} req/s   p50 ${r.p50.toFixed(1).padStart(6)} ms   p99 ${r.p99.toFixed(1).padStart(6)} ms   max ${r.max.toFixed(1).padStart(6)} ms   errors ${r.errors}`;
  console.log(
    `${REQUESTS} signed /lead requests, ${CONNECTIONS} concurrent connections (after ${WARMUP} warm-up)`,
  );
  console.log(fmt(real));
  console.log(fmt(baseline));
  const ratio = real.throughput / baseline.throughput;
  console.log(
    `runs started: ${runs}; throughput ratio ${ratio.toFixed(2)} (goal ≥ 0.5); p99 ${real.p99.toFixed(1)} ms (goal ≤ 50)`,
  );
  console.log(real.p99 <= 50 && ratio >= 0.5 ? 'goal met' : 'goal NOT met');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
