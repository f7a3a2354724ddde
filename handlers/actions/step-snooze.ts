// `step_snooze` on a reminder: an owner (or an admin) quiets the step's reminders for a while;
// anyone else is refused (ephemerally, by the error handler) and nothing changes.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { SNOOZE_DEFAULT_MINUTES } from '../../src/services/clocks/snooze-step.ts';
import { buildSnoozedMessage } from '../../src/slack/blocks/clocks/index.ts';
import type { HandlerDeps } from '../deps.ts';
import { stepRefOf } from './action-value.ts';

export function stepSnooze(deps: HandlerDeps) {
  return async ({
    ack,
    action,
    body,
    respond,
  }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const ref = stepRefOf(action);
    const snoozed = await deps.verbs.snooze_step({
      actor: await deps.actorOf(body),
      input: { run_id: ref.runId, step_key: ref.stepKey, minutes: SNOOZE_DEFAULT_MINUTES },
    });
    await respond({ response_type: 'ephemeral', replace_original: false, ...buildSnoozedMessage(snoozed) });
  };
}
