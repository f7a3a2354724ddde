// The answer to "cancel the linked runs too?" after `/lead cancel` of a run that waits on them:
// the run is cancelled, and its linked runs with it (`run_cancel_linked`) or kept going
// (`run_cancel_keep`). A refusal is shown ephemerally by the error handler.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { ValidationError } from '../../src/errors.ts';
import { parseRunNote } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { actionValue } from './action-value.ts';

export function runCancelLinked(deps: HandlerDeps, linked: 'cancel' | 'keep') {
  return async ({
    ack,
    action,
    body,
    respond,
  }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const choice = parseRunNote(actionValue(action));
    if (!choice) throw new ValidationError('bad_run_ref', 'This button does not point at a run any more.');
    const run = await deps.verbs.cancel_run({
      actor: await deps.actorOf(body),
      input: { run_id: choice.runId, reason: choice.note, linked },
    });
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      text: `${run.id} is cancelled; its linked runs are ${linked === 'cancel' ? 'cancelled too' : 'kept going by themselves'}.`,
    });
  };
}
