// A post-mortem's follow-up becomes a run of its own: `follow_up_bug` (Bug Fix) or
// `follow_up_feature` (New Feature), linked to the incident. The same follow-up pressed again is
// the run already opened. A refusal is shown ephemerally by the error handler.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { FollowUpChain } from '../../src/domain/links.ts';
import { ValidationError } from '../../src/errors.ts';
import { parseRunNote } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { actionValue } from './action-value.ts';

export function followUp(deps: HandlerDeps, chain: FollowUpChain) {
  return async ({
    ack,
    action,
    body,
    respond,
  }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const item = parseRunNote(actionValue(action));
    if (!item?.note)
      throw new ValidationError('bad_run_ref', 'This button does not point at a follow-up any more.');
    const { run, created } = await deps.verbs.start_follow_up({
      actor: await deps.actorOf(body),
      input: { run_id: item.runId, chain, title: item.note },
    });
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      text: created
        ? `📌 ${run.id} is open for that follow-up of ${item.runId}; its thread is linked from the incident's.`
        : `📌 That follow-up of ${item.runId} is ${run.id} already (${run.status}).`,
    });
  };
}
