// `step_ack` ("Got it"): an owner acknowledges the handoff; the clocks stop nagging.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { HandlerDeps } from '../deps.ts';
import { stepRefOf } from './action-value.ts';

export function stepAck(deps: HandlerDeps) {
  return async ({
    ack,
    action,
    body,
    respond,
  }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const ref = stepRefOf(action);
    const run = await deps.verbs.acknowledge_step({
      actor: await deps.actorOf(body),
      input: { run_id: ref.runId, step_key: ref.stepKey },
    });
    const step = run.steps.find((s) => s.key === ref.stepKey);
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      text: `👍 Noted: ${step?.title ?? ref.stepKey} (${run.id}) is acknowledged.`,
    });
  };
}
