// The requester picks the chain the classifier was unsure of: the run starts (once, however
// often the button is pressed) and the question is replaced by what was started.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { ValidationError } from '../../src/errors.ts';
import { buildChainStarted } from '../../src/slack/blocks/index.ts';
import { parseChainChoice } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { actionValue } from './action-value.ts';

export function chooseChain(deps: HandlerDeps) {
  return async ({
    ack,
    action,
    body,
    respond,
  }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const choice = parseChainChoice(actionValue(action));
    if (!choice)
      throw new ValidationError(
        'bad_choice',
        'This choice is no longer valid; ask again with `/lead <request>`.',
      );
    const { run } = await deps.verbs.choose_chain({
      actor: await deps.actorOf(body),
      input: { pending_id: choice.pendingId, chain: choice.chain },
    });
    const title = deps.playbooks.find((p) => p.id === run.chain)?.title ?? run.chain;
    await respond({ replace_original: true, ...buildChainStarted(run, title) });
  };
}
