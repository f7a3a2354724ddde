// A bot process that only delivers webhooks, for a test that kills it mid-delivery: it opens the
// database at DATABASE_URL, runs the outbox worker with the webhook channel at the clock fixed at
// CLOCK_MS, prints its worker id, and ticks once (the test kills it while that POST is open).
import { silentLogger } from '../../src/logger.ts';
import { createOutboxWorker } from '../../src/outbox/worker.ts';
import { newWorkerId } from '../../src/outbox/worker-identity.ts';
import { openDatabase } from '../../src/persistence/sqlite/database.ts';
import { SqliteStore } from '../../src/persistence/sqlite/store.ts';
import { createWebhookChannel } from '../../src/webhooks/channel.ts';

const store = new SqliteStore(openDatabase(process.env.DATABASE_URL!, { backgroundCheckpoints: false }));
const clock = () => Number(process.env.CLOCK_MS);
const workerId = newWorkerId();
const worker = createOutboxWorker({
  store,
  channels: [createWebhookChannel({ store, clock })],
  clock,
  log: silentLogger,
  workerId,
});
process.stdout.write(`${workerId}\n`);
await worker.tick();
