// A mention in a run's thread acts on that run for its author, person or bot (`done`, `block`,
// `unblock`, `reject`, `skip`, `ack`, `reassign`, `snooze`, `status`): parsed into a verb call
// (src/services/thread-command.ts), called from the verb table with the author as the actor, so
// the permission checks are the buttons'. Never starts a run: other text gets the words that
// work. Answers: to a person ephemeral, to a bot a reply in the thread that names it without
// mentioning it; at most a few a minute to one author in one thread.
import type { Actor, Run } from '../../src/domain/types.ts';
import { AlreadyActedError, isDomainError } from '../../src/errors.ts';
import { parseThreadCommand, type ThreadCall } from '../../src/services/thread-command.ts';
import { buildSnoozedMessage } from '../../src/slack/blocks/clocks/index.ts';
import { buildRunStatus } from '../../src/slack/blocks/index.ts';
import type { SlackMessage } from '../../src/slack/blocks/kit.ts';
import { buildThreadAnswer, buildThreadVerbsHint, withoutMentions } from '../../src/slack/blocks/thread.ts';
import { describeError, newCorrelationId } from '../../src/slack/error-handler.ts';
import type { HandlerDeps } from '../deps.ts';

export interface ThreadPlace {
  channel: string;
  threadTs: string;
}

/** Answer the author: ephemeral to a person; to a bot, in the thread without mentioning it. */
export async function answerAuthor(
  deps: HandlerDeps,
  where: ThreadPlace,
  actor: Actor,
  message: SlackMessage,
): Promise<void> {
  if (!deps.answers.take(`${where.channel}:${where.threadTs}`, actor.userId)) {
    deps.logger.info('thread: answer withheld (too many to one author in one thread)', {
      channel: where.channel,
      threadTs: where.threadTs,
      author: actor.userId,
    });
    return;
  }
  if (actor.kind === 'slack_bot') {
    const quiet = withoutMentions(message, [{ userId: actor.userId, name: actor.label }]);
    await deps.slack.chat.postMessage({
      channel: where.channel,
      thread_ts: where.threadTs,
      text: quiet.text,
      blocks: quiet.blocks,
      unfurl_links: false,
    });
    return;
  }
  await deps.slack.chat.postEphemeral({
    channel: where.channel,
    user: actor.userId,
    thread_ts: where.threadTs,
    text: message.text,
    blocks: message.blocks,
  });
}

/** What the call does; the answer to the author, or null when the thread's own notice says it. */
async function perform(
  deps: HandlerDeps,
  actor: Actor,
  run: Run,
  call: ThreadCall,
): Promise<SlackMessage | null> {
  switch (call.kind) {
    case 'unknown':
      return buildThreadVerbsHint(run.id, call.word);
    case 'status': {
      const current = await deps.verbs.get_run({ actor, input: { run_id: run.id } });
      return buildRunStatus(
        current,
        deps.playbooks.find((p) => p.id === current.chain),
      );
    }
    case 'verb': {
      if (call.verb === 'acknowledge_step') {
        const after = await deps.verbs.acknowledge_step({ actor, input: call.input });
        const step =
          after.steps.find((s) => s.key === call.input.step_key) ??
          after.steps.find(
            (s) => s.acknowledgedAt !== null && (s.status === 'active' || s.status === 'blocked'),
          );
        return buildThreadAnswer(`👍 Noted: ${step?.title ?? 'the step'} (${after.id}) is acknowledged.`);
      }
      if (call.verb === 'start_follow_up') {
        const { run: followUp, created } = await deps.verbs.start_follow_up({ actor, input: call.input });
        // Started: the thread's own notice links it. Asked again: say which run it already is.
        return created
          ? null
          : buildThreadAnswer(`📌 That follow-up is ${followUp.id} already (${followUp.status}).`);
      }
      if (call.verb === 'snooze_step')
        return buildSnoozedMessage(await deps.verbs.snooze_step({ actor, input: call.input }));
      // Any other verb: the thread's own notice says what happened.
      const verb = deps.verbs[call.verb] as (c: { actor: Actor; input: unknown }) => Promise<unknown>;
      await verb({ actor, input: call.input });
      return null;
    }
  }
}

/** Act on `run` from a mention in its thread; every outcome is answered (within the limit). */
export async function actInThread(
  deps: HandlerDeps,
  where: ThreadPlace,
  actor: Actor,
  run: Run,
  text: string,
): Promise<void> {
  let answer: SlackMessage | null;
  try {
    answer = await perform(deps, actor, run, parseThreadCommand(text, run));
  } catch (err) {
    // Acted on already (Slack delivered the message again, maybe to another process): done.
    if (err instanceof AlreadyActedError) return;
    const ref = newCorrelationId();
    if (!isDomainError(err)) {
      deps.logger.error('thread: a verb failed', {
        ref,
        runId: run.id,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    }
    answer = buildThreadAnswer(describeError(err, ref));
  }
  if (answer) await answerAuthor(deps, where, actor, answer);
}
