// `gdpr_notified` on a GDPR clock message: Privacy records that the supervisory authority was
// notified; the clock stops. Anyone else is refused (ephemerally, by the error handler).
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { buildGdprRecordedMessage } from '../../src/slack/blocks/clocks/index.ts';
import type { HandlerDeps } from '../deps.ts';
import { runRefOf } from './action-value.ts';

export function gdprNotified(deps: HandlerDeps) {
  return async ({
    ack,
    action,
    body,
    respond,
  }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const result = await deps.verbs.record_gdpr_notification({
      actor: await deps.actorOf(body),
      input: { run_id: runRefOf(action) },
    });
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      ...buildGdprRecordedMessage(result),
    });
  };
}
