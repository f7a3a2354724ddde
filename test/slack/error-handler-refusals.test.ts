// The one error handler records a refusal no service recorded, once, and shows it privately.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefusedError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logger.ts';
import { recordRefusal } from '../../src/services/refusals.ts';
import { actionOf, createErrorHandler } from '../../src/slack/error-handler.ts';
import { createTestEngine, type TestEngine } from '../support/engine.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';

let fake: FakeSlack;
let e: TestEngine;
beforeAll(async () => {
  fake = await startFakeSlack();
  e = await createTestEngine();
});
afterAll(async () => {
  await e.close();
  await fake.close();
});

const pressed = {
  type: 'block_actions',
  user: { id: 'UPRESSER' },
  channel: { id: 'CWORK' },
  container: { channel_id: 'CWORK', thread_ts: '1.0' },
  actions: [{ action_id: 'step_done', value: 'FEAT-9:vision_scope' }],
};

describe('createErrorHandler', () => {
  it('when a refusal no service recorded reaches it, then it is recorded once as a refused event and shown privately', async () => {
    const deps = { store: e.store, clock: e.clock.now };
    const handle = createErrorHandler({
      slack: new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl }),
      logger: silentLogger,
      recordRefusal: (who, err) => recordRefusal(deps, who, err),
    });
    const err = new RefusedError('not_owner', 'Only @Ghabs or an admin can do this.', {
      runId: 'FEAT-9',
      stepKey: 'vision_scope',
    });
    await handle({ error: err, body: pressed });
    await handle({ error: err, body: pressed });
    const refused = (await e.store.read.events.forRun('FEAT-9')).filter((x) => x.type === 'refused');
    expect(refused).toEqual([
      expect.objectContaining({
        actor: 'UPRESSER',
        stepKey: 'vision_scope',
        data: expect.objectContaining({ action: 'step_done', code: 'not_owner' }),
      }),
    ]);
    expect(fake.ephemerals('UPRESSER').map((x) => x.text)).toEqual([
      'Only @Ghabs or an admin can do this.',
      'Only @Ghabs or an admin can do this.',
    ]);
  });

  it('names what was tried from the request', () => {
    expect(actionOf(pressed)).toBe('step_done');
    expect(actionOf({ command: '/lead', text: 'role set Atlas <@U1>' })).toBe('/lead role');
    expect(actionOf({ type: 'view_submission', view: { callback_id: 'step_done_modal' } })).toBe(
      'step_done_modal',
    );
    expect(actionOf({ type: 'event_callback', event: { type: 'app_mention' } })).toBe('app_mention');
  });
});
