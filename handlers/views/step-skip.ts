// The skip form: a reason is required; acked only once recorded.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { BLOCK } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { requireField, type StateValues, stepRefOfView } from './values.ts';

export function stepSkipSubmitted(deps: HandlerDeps) {
  return async ({ ack, view, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const ref = stepRefOfView(view.private_metadata);
    const reason = requireField(
      view.state.values as StateValues,
      BLOCK.reason,
      'Say why the step is skipped.',
    );
    await deps.verbs.skip_step({
      actor: await deps.actorOf(body),
      input: { run_id: ref.runId, step_key: ref.stepKey, reason },
    });
    await ack();
  };
}
