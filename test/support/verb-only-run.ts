// A whole New Feature run driven through the verb table alone, in a process with no Slack:
// started with `--import ./test/support/no-slack.ts`, so any import of a Slack package fails.
// Prints the run's events (type, step, actor) as one JSON line, and what Slack it loaded.
// Environment: DATABASE_URL (a fresh file), ADMIN_USER_IDS.
import { createRequire } from 'node:module';
import { loadCoreConfig } from '../../src/config.ts';
import { createCore } from '../../src/core.ts';
import type { Actor } from '../../src/domain/types.ts';
import { ADMIN, userFor } from './engine.ts';
import { type EventShape, FEATURE_REQUEST, FEATURE_STEPS } from './feature-run.ts';

let now = Date.UTC(2026, 10, 2, 9, 0, 0);
const core = await createCore(loadCoreConfig(process.env), { clock: () => (now += 1000) });
const { verbs } = core;
const as = (userId: string): Promise<Actor> => core.actors.resolve({ kind: 'api_user', userId });

const admin = await as(ADMIN);
for (const role of core.directory.names) {
  await verbs.set_role({ actor: admin, input: { role, members: [userFor(role)] } });
}
const outcome = await verbs.start_request({
  actor: await as(FEATURE_REQUEST.requester),
  input: {
    text: FEATURE_REQUEST.text,
    chain: FEATURE_REQUEST.chain,
    channel_id: FEATURE_REQUEST.channelId,
    source: 'api',
  },
});
if (outcome.kind !== 'started') throw new Error(`the request was not started: ${outcome.kind}`);
const runId = outcome.run.id;
for (const step of FEATURE_STEPS) {
  for (const user of step.by) {
    await verbs.complete_step({
      actor: await as(user),
      input: {
        run_id: runId,
        step_key: step.key,
        output: `${step.key} by ${user}`,
        ...(step.projects ? { facts: { projects: step.projects } } : {}),
      },
    });
  }
}
const run = await verbs.get_run({ actor: admin, input: { run_id: runId } });
const events: EventShape[] = (await core.store.read.events.forRun(runId)).map((e) => ({
  type: e.type,
  step: e.stepKey,
  actor: e.actor,
}));
await core.close();

// What of Slack this process loaded (CommonJS packages imported from ESM land in require.cache),
// and whether importing Slack fails here as it should.
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes('/@slack/'));
const guard = await import('@slack/bolt').then(
  () => 'importable',
  (err: Error) => err.message,
);
process.stdout.write(`${JSON.stringify({ runId, status: run.status, events, loaded, guard })}\n`);
