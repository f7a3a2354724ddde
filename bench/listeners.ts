// `npm run bench:listeners`: what Bolt's listener dispatch costs per request, with every listener
// registered on Bolt one per id (Bolt runs each listener's matching middleware on every request)
// and through the listener table (src/slack/listener-table.ts: one Bolt listener per kind). CPU
// time per request for a block action no listener takes, in process, no HTTP: the part of
// `bench:ack` that the table changes. Not part of `npm test`.
import { App, LogLevel, type Receiver } from '@slack/bolt';
import { type HandlerDeps, registerHandlers } from '../handlers/index.ts';
import { createListenerTable } from '../src/slack/listener-table.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const ROUNDS = 4;

const receiver: Receiver = { init() {}, start: async () => undefined, stop: async () => undefined };

function appWith(table: boolean): App {
  const app = new App({
    token: 'xoxb-bench',
    botId: 'B0',
    botUserId: 'U0',
    receiver,
    logLevel: LogLevel.ERROR,
    convoStore: false,
  });
  // Registration only: no request reaches a listener, so the services are never called.
  const deps = {} as HandlerDeps;
  if (!table) registerHandlers(app, deps);
  else {
    const listeners = createListenerTable(app);
    registerHandlers(listeners.app, deps);
    listeners.install();
  }
  return app;
}

const body = {
  type: 'block_actions',
  team: { id: 'T1' },
  user: { id: 'U1' },
  channel: { id: 'C1' },
  actions: [{ action_id: 'nobody_listens', block_id: 'b', type: 'button', value: 'v' }],
  trigger_id: 't',
};

/** CPU microseconds per request. */
async function measure(app: App, n: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await app.processEvent({ body, ack: async () => undefined });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

const apps = { bolt: appWith(false), table: appWith(true) };
await measure(apps.bolt, 2000);
await measure(apps.table, 2000);
const results: { bolt: number[]; table: number[] } = { bolt: [], table: [] };
for (let r = 0; r < ROUNDS; r++) {
  results.bolt.push(await measure(apps.bolt, REQUESTS));
  results.table.push(await measure(apps.table, REQUESTS));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bolt = median(results.bolt);
const table = median(results.table);
console.log(`Bolt dispatch, ${REQUESTS} requests × ${ROUNDS} rounds (CPU time per request, median)`);
console.log(`one Bolt listener per id   ${bolt.toFixed(1)} µs`);
console.log(`listener table             ${table.toFixed(1)} µs   (${(bolt / table).toFixed(1)}× less)`);
