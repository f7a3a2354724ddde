// Acting from a run's thread: a person or another app's bot mentions the bot in the thread, as
// Slack delivers it (`app_mention`; a bot's carries `bot_id` and here no `user`, so the app looks
// its bot user up with bots.info). Reading back what the bot answered there.
import { expect } from 'vitest';
import type { Run } from '../../src/domain/types.ts';
import { type Harness, threadOf, until } from '../support/app-harness.ts';
import { type FakeMessage, visibleText } from '../support/fake-slack.ts';

/** A person (`user`) or an agent (`bot`: its bot ID, registered with `fake.addBot`). */
export type Author = { user: string } | { bot: string; botUser: string; name: string; withUser?: boolean };

export const person = (user: string): Author => ({ user });

/** Register another app's bot holding `userId`, and return it as an author. */
export function agent(h: Harness, userId: string, name: string, withUser = false): Author & { bot: string } {
  const botId = `B${userId.slice(1)}`;
  h.fake.addBot({ botId, userId, name });
  return { bot: botId, botUser: userId, name, withUser };
}

export const authorUser = (a: Author): string => ('bot' in a ? a.botUser : a.user);

/** Post `@ProjectLead <text>` in the run's thread as `author`; returns the message. */
export async function say(
  h: Harness,
  run: Pick<Run, 'channelId' | 'threadTs' | 'rootTs'>,
  author: Author,
  text: string,
) {
  const channel = run.channelId!;
  const threadTs = run.threadTs ?? run.rootTs!;
  const ts = h.driver.newTs();
  const full = `<@${h.fake.botUserId}> ${text}`;
  const message = h.fake.addMessage({
    channel,
    user: authorUser(author),
    text: full,
    ts,
    thread_ts: threadTs,
  });
  const event =
    'bot' in author
      ? {
          type: 'app_mention',
          bot_id: author.bot,
          ...(author.withUser ? { user: author.botUser } : {}),
          bot_profile: { id: author.bot, name: author.name, app_id: `A${author.bot.slice(1)}` },
          text: full,
          channel,
          ts,
          thread_ts: threadTs,
        }
      : { type: 'app_mention', user: author.user, text: full, channel, ts, thread_ts: threadTs };
  if ('bot' in author) message.bot_id = author.bot;
  const res = await h.driver.event(event);
  expect(res.status).toBe(200);
  return message;
}

/** The bot's messages in the thread posted after `after` (a message's ts). */
export function repliesAfter(h: Harness, run: Run, after: string): FakeMessage[] {
  return threadOf(h, run).filter((m) => m.user === h.fake.botUserId && Number(m.ts) > Number(after));
}

/** Wait for the bot's answer to `author` after `after`: a thread reply (bot) or an ephemeral (person). */
export async function answerTo(
  h: Harness,
  run: Run,
  author: Author,
  after: string,
  match: RegExp,
): Promise<string> {
  return until(
    async () => {
      if ('bot' in author) {
        // An answer is posted directly; the outbox's messages carry their row in metadata.
        const m = repliesAfter(h, run, after).find((x) => !x.metadata && match.test(visibleText(x)));
        return m ? visibleText(m) : null;
      }
      const e = h.fake
        .ephemerals(author.user)
        .filter((x) => x.thread_ts === (run.threadTs ?? run.rootTs))
        .map((x) => visibleText(x))
        .find((t) => match.test(t));
      return e ?? null;
    },
    `an answer matching ${match} to ${JSON.stringify(author)}`,
  );
}
