// The block form: a reason is required (and, on a gated step, whether the gate failed or the
// step is waiting on something); acked only once recorded.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { BLOCK_KIND } from '../../src/slack/blocks/modals.ts';
import { BLOCK } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { fieldValue, requireField, type StateValues, stepRefOfView } from './values.ts';

export function stepBlockSubmitted(deps: HandlerDeps) {
  return async ({ ack, view, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const ref = stepRefOfView(view.private_metadata);
    const reason = requireField(
      view.state.values as StateValues,
      BLOCK.reason,
      'Say why the step is blocked.',
    );
    // Asked on a gated step only: the gate failed, or the step waits on something.
    const waiting = fieldValue(view.state.values as StateValues, BLOCK.blockKind) === BLOCK_KIND.waiting;
    await deps.verbs.block_step({
      actor: await deps.actorOf(body),
      input: { run_id: ref.runId, step_key: ref.stepKey, reason, waiting },
    });
    await ack();
  };
}
