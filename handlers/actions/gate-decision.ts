// `gate_confirm` and `gate_overrule` on an agent's decision: a person on the deciding role's
// escalation path confirms it (it takes effect as the agent's), or opens the overrule form.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { buildOverruleModal } from '../../src/slack/blocks/modals.ts';
import type { HandlerDeps } from '../deps.ts';
import { stepRefOf } from './action-value.ts';

export function gateConfirm(deps: HandlerDeps) {
  return async ({ ack, action, body }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const ref = stepRefOf(action);
    await deps.verbs.confirm_decision({
      actor: await deps.actorOf(body),
      input: { run_id: ref.runId, step_key: ref.stepKey },
    });
  };
}

export function gateOverrule(deps: HandlerDeps) {
  return async ({ ack, action, body }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const ref = stepRefOf(action);
    const run = await deps.verbs.get_run({ actor: await deps.actorOf(body), input: { run_id: ref.runId } });
    const step = run.steps.find((s) => s.key === ref.stepKey);
    if (!step) return;
    await deps.slack.views.open({ trigger_id: body.trigger_id, view: buildOverruleModal(run, step) });
  };
}
