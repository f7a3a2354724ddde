// What the outbox sender's tests share: an engine with a sender and a fake Slack (closed after
// each test), runs walked step by step, and readers of what reached Slack.
import { type Logger, silentLogger } from '../../src/logger.ts';
import type { Store } from '../../src/persistence/ports.ts';
import type { SqliteStore } from '../../src/persistence/sqlite/store.ts';
import type { SlackSenderOptions as OutboxSenderOptions } from '../../src/slack/delivery/sender.ts';
import { createTestEngine, type TestEngine, userFor } from '../support/engine.ts';
import { type FakeMessage, type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { createTestSender, startTestRun, testSlackClient } from '../support/outbox.ts';

export const CHANNEL = 'CREQ';
/** What a test started (engines, fakes, senders), closed after it by `closeAll`. */
export const cleanups: (() => Promise<void> | void)[] = [];

export async function closeAll(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

export async function setup(opts: { path?: string; sender?: Partial<OutboxSenderOptions> } = {}) {
  const engine = await createTestEngine({ path: opts.path });
  const fake = await startFakeSlack({ now: engine.clock.now });
  cleanups.push(
    () => engine.close(),
    () => fake.close(),
  );
  const sender = senderFor(engine, fake, engine.store, opts.sender);
  return { engine, fake, sender };
}

export const slackClient = testSlackClient;

export function senderFor(
  engine: TestEngine,
  fake: FakeSlack,
  store: Store,
  opts: Partial<OutboxSenderOptions> = {},
) {
  return createTestSender(engine, fake, { store, ...opts });
}

/** The warnings a sender logs, with their fields. */
export function recordingLogger() {
  const warnings: { msg: string; fields: Record<string, unknown> | undefined }[] = [];
  const log: Logger = { ...silentLogger, warn: (msg, fields) => warnings.push({ msg, fields }) };
  return { log, warnings };
}

export const start = startTestRun;

/** Complete the current step as each of its roles, `n` times. */
export async function advance(engine: TestEngine, runId: string, n = Number.POSITIVE_INFINITY) {
  let run = await engine.runs.getRun(runId);
  for (let i = 0; i < n && run.status === 'active'; i++) {
    const step = run.steps.find((s) => s.status === 'active')!;
    for (const role of [...step.owners, ...step.approvers]) {
      run = await engine.runs.completeStep(run.id, await engine.as(userFor(role)), {
        output: `${role} did it`,
      });
    }
  }
  return run;
}

export const roots = (fake: FakeSlack, channel = CHANNEL) =>
  fake.messages(channel).filter((m) => m.thread_ts === undefined);
export const replies = (fake: FakeSlack, channel: string, ts: string) =>
  fake.messages(channel).filter((m) => m.thread_ts === ts && m.ts !== ts);

/** The text each thread message of the run's outbox should show, in order, from the sent rows. */
export async function expectedThread(engine: TestEngine, runId: string): Promise<string[]> {
  const rows = await engine.store.read.outbox.list({ runId });
  return rows.filter((r) => r.delivery.kind === 'thread').map((r) => r.notice.type);
}

/** Which notice a thread message shows, from its wording. */
export function kindOf(m: FakeMessage): string {
  const text = m.text ?? '';
  if (m.blocks?.some((b) => b.type === 'actions')) return 'handoff';
  if (text.includes(' done')) return 'step_done';
  return text;
}

export function queueTransactions(stores: SqliteStore[]) {
  let tail: Promise<unknown> = Promise.resolve();
  for (const store of stores) {
    const own = store.transaction.bind(store);
    store.transaction = <T>(fn: Parameters<typeof own<T>>[0]) => {
      const result = tail.then(() => own(fn));
      tail = result.catch(() => undefined);
      return result;
    };
  }
}
