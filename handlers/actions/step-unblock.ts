// `step_unblock`: whoever may lift the block opens the modal (the independence rule: a Privacy
// block only by Privacy, or by Ghabs accepting the risk with a written rationale).
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { buildUnblockModal } from '../../src/slack/blocks/index.ts';
import type { HandlerDeps } from '../deps.ts';
import { stepRefOf } from './action-value.ts';

export function stepUnblock(deps: HandlerDeps) {
  return async ({ ack, action, body }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const ref = stepRefOf(action);
    const { run, step, riskAcceptance, riskAcceptor } = await deps.verbs.check_step_access({
      actor: await deps.actorOf(body),
      input: { run_id: ref.runId, step_key: ref.stepKey, action: 'unblock' },
    });
    await deps.slack.views.open({
      trigger_id: body.trigger_id,
      view: buildUnblockModal(run, step, { riskAcceptance, riskAcceptor: riskAcceptor ?? '' }),
    });
  };
}
