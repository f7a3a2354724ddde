// `npm run bench:outbox-channels`: how long one hung channel holds up another. The real app
// (production outbox settings: 1 s pacing per channel, 250 ms polls, the Web API client's own
// timeout) sends to the fake Slack, whose chat.postMessage hangs for one channel. While that
// call hangs, an incident starts in another channel; the bench measures how long its first
// message takes to reach Slack. Goal: under 1 s (it does not wait for the hung call).
import { startHarness } from '../test/support/app-harness.ts';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const SLOW = 'CSLOW';
const INCIDENTS = 'CINCIDENTS';

async function once(rep: number): Promise<number> {
  const h = await startHarness({ outbox: { channelIntervalMs: 1000, pollMs: 250 } });
  try {
    h.fake.failNext('chat.postMessage', { hang: true }, 1, { channel: SLOW });
    await h.core.runs.startRun({
      chain: 'feature',
      title: `Slow channel ${rep}`,
      text: 'Dark mode for the mobile app',
      requester: 'UREQ',
      channelId: SLOW,
      source: 'slash',
    });
    await h.fake.waitFor((f) => f.hungCount > 0, { what: 'the hung call', timeoutMs: 10_000 });
    const started = performance.now();
    const { run } = await h.core.runs.startRun({
      chain: 'incident',
      title: `Checkout down ${rep}`,
      text: 'Checkout is down for every user',
      requester: 'UREQ',
      channelId: INCIDENTS,
      source: 'slash',
      severity: 'sev1',
    });
    await h.fake.waitFor(
      (f) => f.messages(INCIDENTS).some((m) => m.text?.includes(run.id) && m.thread_ts === undefined),
      { what: `the first message of ${run.id}`, timeoutMs: 60_000 },
    );
    return performance.now() - started;
  } finally {
    h.fake.releaseHung();
    await h.close();
  }
}

const delays: number[] = [];
for (let i = 0; i < REPS; i++) delays.push(await once(i));
const sorted = [...delays].sort((a, b) => a - b);
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `incident's first message with another channel's chat.postMessage hanging (${REPS} runs): ` +
    `median ${fmt(sorted[Math.floor(sorted.length / 2)]!)}, max ${fmt(sorted.at(-1)!)} ` +
    `(each: ${delays.map(fmt).join(', ')})`,
);
