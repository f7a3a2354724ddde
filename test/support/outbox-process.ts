// A bot process that only sends the outbox, for tests that kill it mid-call: it opens the
// database at DATABASE_URL, sends to the fake Slack at SLACK_API_URL with the clock fixed at
// CLOCK_MS, prints its worker id, and ticks once (the test kills it while that call is open).
import { loadPlaybooks } from '../../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../../routing/roles.ts';
import { silentLogger } from '../../src/logger.ts';
import { createOutboxSender } from '../../src/outbox/sender.ts';
import { createSlackClient } from '../../src/outbox/slack-client.ts';
import { newWorkerId } from '../../src/outbox/worker-identity.ts';
import { openDatabase } from '../../src/persistence/sqlite/database.ts';
import { SqliteStore } from '../../src/persistence/sqlite/store.ts';

const store = new SqliteStore(openDatabase(process.env.DATABASE_URL!, { backgroundCheckpoints: false }));
const directory = loadRoleDirectory();
const workerId = newWorkerId();
const sender = createOutboxSender({
  store,
  client: createSlackClient({ token: 'xoxb-test', slackApiUrl: process.env.SLACK_API_URL! }),
  playbooks: loadPlaybooks({ knownRoles: new Set(directory.names) }),
  clock: () => Number(process.env.CLOCK_MS),
  log: silentLogger,
  workerId,
});
process.stdout.write(`${workerId}\n`);
await sender.tick();
