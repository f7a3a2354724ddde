// "Status" on an App Home run: the run's state, for the person alone (a DM from the bot).
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { buildRunStatus } from '../../src/slack/blocks/index.ts';
import type { HandlerDeps } from '../deps.ts';
import { actionValue } from './action-value.ts';

export function openRun(deps: HandlerDeps) {
  return async ({ ack, action, body }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const run = await deps.runs.getRun(actionValue(action) ?? '');
    const status = buildRunStatus(
      run,
      deps.playbooks.find((p) => p.id === run.chain),
    );
    await deps.slack.chat.postMessage({ channel: body.user.id, ...status });
  };
}
