// `@ProjectLead <text>`: the same as `/lead <text>`, with the run in the mention's thread. A
// redelivery (same event_id, or same channel and ts) never starts a second run.
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { answerLead } from '../commands/answer.ts';
import { parseLeadCommand } from '../commands/parse.ts';
import type { HandlerDeps } from '../deps.ts';

/** The text without the bot's mention (any leading mention when the bot's ID is unknown). */
export function stripBotMention(text: string, botUserId: string | undefined): string {
  if (botUserId) return text.replaceAll(new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g'), ' ').trim();
  return text.replace(/^\s*<@[UW][A-Z0-9]+(\|[^>]*)?>/, '').trim();
}

export function appMention(deps: HandlerDeps) {
  return async ({ event, body, context }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs) => {
    if (!event.user) return;
    const threadTs = event.thread_ts ?? event.ts;
    const cmd = parseLeadCommand(stripBotMention(event.text, context.botUserId), deps.chainForCommand);
    const answer = await answerLead(
      cmd,
      {
        actor: await deps.actorOf(body),
        channelId: event.channel,
        threadTs,
        source: 'mention',
        idempotencyKeys: [`event:${body.event_id}`, `msg:${event.channel}:${event.ts}`],
      },
      deps,
    );
    if (answer)
      await deps.slack.chat.postEphemeral({
        channel: event.channel,
        user: event.user,
        thread_ts: threadTs,
        ...answer,
      });
  };
}
