// `@ProjectLead <text>`: the same as `/lead <text>`, with the run in the mention's thread. A
// redelivery (same event_id, or same channel and ts) never starts a second run. In a run's
// thread it acts on that run instead (thread-verb.ts) and never starts another. The author may
// be a person or another app's bot (its bot user acts); the bot's own messages are ignored.
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { answerLead } from '../commands/answer.ts';
import { parseLeadCommand } from '../commands/parse.ts';
import type { HandlerDeps } from '../deps.ts';
import { actInThread, answerAuthor } from './thread-verb.ts';

/** The text without the bot's mention (any leading mention when the bot's ID is unknown). */
export function stripBotMention(text: string, botUserId: string | undefined): string {
  if (botUserId) return text.replaceAll(new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g'), ' ').trim();
  return text.replace(/^\s*<@[UW][A-Z0-9]+(\|[^>]*)?>/, '').trim();
}

export function appMention(deps: HandlerDeps) {
  return async ({ event, body, context }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs) => {
    // The loop guard's first half: what this bot posted never acts.
    if (event.user && event.user === context.botUserId) return;
    if (event.bot_id && context.botId && event.bot_id === context.botId) return;
    if (!event.user && !event.bot_id) return;
    const actor = await deps.actorOf(body);
    const threadTs = event.thread_ts ?? event.ts;
    const text = stripBotMention(event.text, context.botUserId);
    const where = { channel: event.channel, threadTs };
    if (event.thread_ts && event.thread_ts !== event.ts) {
      const run = await deps.verbs.get_thread_run({
        actor,
        input: { channel_id: event.channel, thread_ts: event.thread_ts },
      });
      if (run) {
        // Slack repeats an event whose ack it missed, maybe to another process: a thread verb
        // acts once (in memory here; the message's key stored with what it did, for the others).
        if (deps.answers.firstSight(`${event.channel}:${event.ts}`))
          await actInThread(
            deps,
            where,
            { ...actor, once: `thread-verb:${event.channel}:${event.ts}` },
            run,
            text,
          );
        return;
      }
    }
    const cmd = parseLeadCommand(text, deps.chainForCommand);
    const answer = await answerLead(
      cmd,
      {
        actor,
        channelId: event.channel,
        threadTs,
        source: 'mention',
        idempotencyKeys: [`event:${body.event_id}`, `msg:${event.channel}:${event.ts}`],
      },
      deps,
    );
    if (answer) await answerAuthor(deps, where, actor, answer);
  };
}
