// The requester drops a request the classifier asked about: the question goes away.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';

export function cancelRequest() {
  return async ({ ack, respond }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    await respond({ delete_original: true });
  };
}
