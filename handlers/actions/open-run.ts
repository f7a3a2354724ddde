// "Status" on an App Home run: the run's state, for the person alone (a DM from the bot, with a
// link to the run's thread).
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { buildRunStatus, withThreadLink } from '../../src/slack/blocks/index.ts';
import type { HandlerDeps } from '../deps.ts';
import { actionValue } from './action-value.ts';

export function openRun(deps: HandlerDeps) {
  return async ({ ack, action, body }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const run = await deps.verbs.get_run({
      actor: await deps.actorOf(body),
      input: { run_id: actionValue(action) ?? '' },
    });
    const status = buildRunStatus(
      run,
      deps.playbooks.find((p) => p.id === run.chain),
    );
    // Like every DM about a run, it links to the run's thread.
    const link =
      run.channelId && run.rootTs
        ? (await deps.slack.chat.getPermalink({ channel: run.channelId, message_ts: run.rootTs })).permalink
        : undefined;
    await deps.slack.chat.postMessage({
      channel: body.user.id,
      ...(link ? withThreadLink(status, run, link) : status),
    });
  };
}
