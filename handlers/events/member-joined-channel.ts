// The bot was invited to a channel: the run messages held there (Slack refused them while the
// bot was not in it) go out now.
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { HandlerDeps } from '../deps.ts';

export function memberJoinedChannel(deps: HandlerDeps) {
  return async ({
    event,
    context,
  }: SlackEventMiddlewareArgs<'member_joined_channel'> & AllMiddlewareArgs) => {
    // Slack sends this event only for channels the bot is in, so any join proves the bot is
    // there; another member's join changes nothing, and the bot's own is the one that matters.
    if (context.botUserId && event.user !== context.botUserId) return;
    await deps.deliveries.botJoinedChannel(event.channel);
  };
}
