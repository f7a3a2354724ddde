// The outbox sender as tests run it: a real WebClient to the fake Slack, the engine's test clock,
// pacing sleeps that move that clock instead of waiting.
import type { RunRequest } from '../../src/domain/types.ts';
import { silentLogger } from '../../src/logger.ts';
import { createOutboxSender, type OutboxSenderOptions } from '../../src/outbox/sender.ts';
import { createSlackClient } from '../../src/outbox/slack-client.ts';
import type { Store } from '../../src/persistence/ports.ts';
import type { TestEngine } from './engine.ts';
import type { FakeSlack } from './fake-slack.ts';

export const testSlackClient = (fake: FakeSlack) =>
  createSlackClient({ token: 'xoxb-test', slackApiUrl: fake.apiUrl, logger: silentLogger, timeoutMs: 5000 });

/** Virtual time: a sleep moves the clock to its end, unless another sleeper got further. */
export async function virtualSleep(engine: Pick<TestEngine, 'clock'>, ms: number) {
  const until = engine.clock.ms + ms;
  await Promise.resolve();
  if (engine.clock.ms < until) engine.clock.ms = until;
}

export function createTestSender(
  engine: Pick<TestEngine, 'clock' | 'playbooks' | 'store'>,
  fake: FakeSlack,
  opts: Partial<OutboxSenderOptions> & { store?: Store } = {},
) {
  return createOutboxSender({
    store: engine.store,
    client: testSlackClient(fake),
    playbooks: engine.playbooks,
    clock: engine.clock.now,
    log: silentLogger,
    workerId: 'w1',
    channelIntervalMs: 1000,
    sleep: (ms) => virtualSleep(engine, ms),
    random: () => 0.5,
    ...opts,
  });
}

/** A New Feature run requested with `/lead` in `CREQ` by `UREQ`, unless `request` says otherwise. */
export const startTestRun = (engine: Pick<TestEngine, 'runs'>, request: Partial<RunRequest> = {}) =>
  engine.runs.startRun({
    chain: 'feature',
    title: 'Dark mode',
    text: 'Dark mode for the mobile app',
    requester: 'UREQ',
    channelId: 'CREQ',
    source: 'slash',
    projects: ['mobile'],
    ...request,
  });
