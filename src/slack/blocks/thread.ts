// What the bot answers in a run's thread: the words that work there, an answer in one line, and
// any message rewritten so that it names a bot user in plain text instead of mentioning it (a
// bot's message never makes the bot ping that bot back). Pure.
import type { QuietName } from '../../domain/notices.ts';
import { threadVerbsLine } from '../../services/thread-command.ts';
import { context, fitMessage, type SlackMessage, section, userText } from './kit.ts';

/** Not a verb: which words work in this run's thread. */
export function buildThreadVerbsHint(runId: string, word: string): SlackMessage {
  const said = word
    ? `"${userText(word, 50)}" is not something I do in ${runId}'s thread.`
    : `Say what to do in ${runId}.`;
  const line = `${said} Mention me with one of: ${threadVerbsLine()}.`;
  return {
    text: line,
    blocks: [section(line), context('Facts go on their own lines after `done`, e.g. `severity: high`.')],
  };
}

/** A short answer (a refusal, an error, a confirmation). */
export function buildThreadAnswer(text: string): SlackMessage {
  return fitMessage({ text, blocks: [section(userText(text, 2900))] });
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The message with every mention of these users replaced by their plain name (`@AtlasBot`). */
export function withoutMentions(message: SlackMessage, quiet: readonly QuietName[]): SlackMessage {
  if (quiet.length === 0) return message;
  let json = JSON.stringify(message);
  for (const q of quiet) {
    const name = JSON.stringify(`@${q.name.replace(/[<>@]/g, '')}`).slice(1, -1);
    json = json.replace(new RegExp(`<@${escapeRe(q.userId)}(\\|[^>]*)?>`, 'g'), name);
  }
  return JSON.parse(json) as SlackMessage;
}
