// The overrule form: a reason is required; the step goes back to the agent with it. Acked only
// once recorded, so a refusal shows on the form.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { BLOCK } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { requireField, type StateValues, stepRefOfView } from './values.ts';

export function gateOverruleSubmitted(deps: HandlerDeps) {
  return async ({ ack, view, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const ref = stepRefOfView(view.private_metadata);
    const reason = requireField(view.state.values as StateValues, BLOCK.reason, 'Say why it is overruled.');
    await deps.verbs.overrule_decision({
      actor: await deps.actorOf(body),
      input: { run_id: ref.runId, step_key: ref.stepKey, reason },
    });
    await ack();
  };
}
