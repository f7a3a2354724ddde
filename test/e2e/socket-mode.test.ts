// Socket Mode: the same app over the fake's WebSocket (apps.connections.open with the app
// token), /healthz on its own port, one chain walked from the request to completion.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BLOCK } from '../../src/slack/ids.ts';
import {
  APP_TOKEN,
  type Harness,
  newestRun,
  outboxSettled,
  postedRun,
  startHarness,
  userFor as u,
} from '../support/app-harness.ts';
import { handoffs, multiSelect, select, walk } from './walk.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ socket: true });
});
afterAll(() => h.close());

it('when the app token is set, then the bot connects over Socket Mode and a Bug Fix is walked to completion through the socket', async () => {
  expect(h.app.mode).toBe('socket');
  expect(h.fake.callsTo('apps.connections.open')[0]?.token).toBe(APP_TOKEN);
  expect((await fetch(`http://127.0.0.1:${h.app.port}/healthz`)).status).toBe(200);
  await h.slack.slashCommand({
    text: 'bug Search results are empty for accented words',
    userId: 'UREQ',
    channelId: 'CSOCK',
  });
  const run = await postedRun(h, (await newestRun(h)).id);
  const done = await walk(h, run.id, [
    { key: 'report', by: ['UREQ'] },
    {
      key: 'triage',
      by: [u('ProjectLead')],
      values: { ...select(BLOCK.severity, 'medium'), ...multiSelect(BLOCK.projects, ['backend']) },
    },
    { key: 'root_cause_analysis', by: [u('BackendLead')] },
    { key: 'fix', by: [u('BackendLead')] },
    { key: 'verify', by: [u('QAGuard')] },
    { key: 'deploy', by: [u('OpsCommander')] },
    { key: 'document', by: [u('Scribe')] },
  ]);
  await outboxSettled(h);
  expect(done.status).toBe('done');
  expect(handoffs(h, done).map((x) => x.mentions)).toEqual([
    ['UREQ'],
    [u('ProjectLead')],
    [u('BackendLead')],
    [u('BackendLead')],
    [u('QAGuard')],
    [u('OpsCommander')],
    [u('Scribe')],
  ]);
});
