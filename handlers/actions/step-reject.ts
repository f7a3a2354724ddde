// `step_reject`: an owner (or an admin) opens the modal; anyone else is refused at once.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { buildRejectModal } from '../../src/slack/blocks/index.ts';
import type { HandlerDeps } from '../deps.ts';
import { stepRefOf } from './action-value.ts';

export function stepReject(deps: HandlerDeps) {
  return async ({ ack, action, body }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const ref = stepRefOf(action);
    const { run, step } = await deps.verbs.check_step_access({
      actor: await deps.actorOf(body),
      input: { run_id: ref.runId, step_key: ref.stepKey, action: 'reject' },
    });
    await deps.slack.views.open({ trigger_id: body.trigger_id, view: buildRejectModal(run, step) });
  };
}
