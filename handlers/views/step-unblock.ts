// Lifting a block, with a rationale (required from the risk acceptor on an independent block:
// the service says so, on the field).
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { BLOCK } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { fieldValue, type StateValues, stepRefOfView } from './values.ts';

export function stepUnblockSubmitted(deps: HandlerDeps) {
  return async ({ ack, view, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const ref = stepRefOfView(view.private_metadata);
    const rationale = fieldValue(view.state.values as StateValues, BLOCK.rationale);
    await deps.verbs.unblock_step({
      actor: await deps.actorOf(body),
      input: { run_id: ref.runId, step_key: ref.stepKey, rationale },
    });
    await ack();
  };
}
