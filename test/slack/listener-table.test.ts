import { App, LogLevel, type Receiver } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { createListenerTable } from '../../src/slack/listener-table.ts';

const receiver: Receiver = { init() {}, start: async () => undefined, stop: async () => undefined };

function bolt() {
  const app = new App({
    token: 'xoxb-test',
    botId: 'B0',
    botUserId: 'U0',
    receiver,
    logLevel: LogLevel.ERROR,
  });
  const asked: string[] = [];
  for (const kind of ['command', 'action', 'view', 'shortcut', 'event'] as const) {
    const original = (app as unknown as Record<string, (...a: unknown[]) => unknown>)[kind]!.bind(app);
    (app as unknown as Record<string, unknown>)[kind] = (...a: unknown[]) => {
      asked.push(kind);
      return original(...a);
    };
  }
  return { app, asked };
}

const block = (actionId: string) => ({
  type: 'block_actions',
  team: { id: 'T1' },
  user: { id: 'U1' },
  channel: { id: 'C1' },
  actions: [{ action_id: actionId, block_id: 'b', type: 'button', value: 'v' }],
  trigger_id: 't',
});
const submission = (callbackId: string) => ({
  type: 'view_submission',
  team: { id: 'T1' },
  user: { id: 'U1' },
  view: { id: 'V1', callback_id: callbackId, state: { values: {} } },
});

describe('the listener table', () => {
  it('when handlers register one listener per id, then Bolt gets one listener per kind and each request reaches exactly the listener of its id', async () => {
    const { app, asked } = bolt();
    const table = createListenerTable(app);
    const called: string[] = [];
    const listener =
      (name: string) =>
      async ({ ack }: { ack: () => Promise<void> }) => {
        await ack();
        called.push(name);
      };
    for (const id of ['step_done', 'step_block', 'step.x+y']) table.app.action(id, listener(`action:${id}`));
    for (const id of ['done_modal', 'block_modal']) table.app.view(id, listener(`view:${id}`));
    table.app.command('/lead', listener('command:/lead'));
    table.install();
    expect(asked.sort()).toEqual(['action', 'command', 'view']);

    const acked: string[] = [];
    const send = (body: Record<string, unknown>, name: string) =>
      app.processEvent({ body, ack: async () => void acked.push(name) });
    await send(block('step_block'), 'a1');
    await send(block('step.x+y'), 'a2');
    await send(block('stepXxy'), 'a3');
    await send(submission('block_modal'), 'v1');
    await send({ command: '/lead', text: 'x', user_id: 'U1', channel_id: 'C1', team_id: 'T1' }, 'c1');
    expect(called).toEqual(['action:step_block', 'action:step.x+y', 'view:block_modal', 'command:/lead']);
    // An id nobody registered is left unanswered, as with Bolt's own listeners.
    expect(acked).toEqual(['a1', 'a2', 'v1', 'c1']);
  });

  it('when a registration is not one string id with one function, then it goes to Bolt unchanged', () => {
    const { app, asked } = bolt();
    const table = createListenerTable(app);
    table.app.action(/^step_/, async () => undefined);
    table.app.action({ action_id: 'x', block_id: 'b' }, async () => undefined);
    expect(asked).toEqual(['action', 'action']);
    table.install();
    expect(asked).toEqual(['action', 'action']);
  });
});
