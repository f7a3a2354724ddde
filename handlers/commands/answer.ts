// What `/lead <text>` and `@ProjectLead <text>` do: one service call per subcommand and the
// answer for the requester alone (null when the run's own messages say it all).
import { CHAIN_TITLES, isChainId } from '../../routing/vocabulary.ts';
import type { Actor } from '../../src/domain/types.ts';
import { RefusedError } from '../../src/errors.ts';
import { buildGdprRecordedMessage } from '../../src/slack/blocks/clocks/index.ts';
import {
  buildChooseChainMessage,
  buildDescribeRequest,
  buildDigestAnswer,
  buildHelp,
  buildMetricsMessage,
  buildMineList,
  buildPostmortemPosted,
  buildRolesList,
  buildRunStatus,
  buildRunStatusList,
  withDeliveryProblems,
} from '../../src/slack/blocks/index.ts';
import type { SlackMessage } from '../../src/slack/blocks/kit.ts';
import { buildCancelLinkedQuestion } from '../../src/slack/blocks/links.ts';
import { COMMAND_LEAD } from '../../src/slack/ids.ts';
import { type HandlerDeps, METRICS_DAYS } from '../deps.ts';
import type { LeadCommand } from './parse.ts';

export interface Asker {
  actor: Actor;
  channelId: string | null;
  threadTs: string | null;
  source: 'slash' | 'mention';
  idempotencyKeys: string[];
  /** A slash command's response_url: where the requester is told if the run cannot start. */
  responseUrl?: string;
}

export async function answerLead(
  cmd: LeadCommand,
  who: Asker,
  deps: HandlerDeps,
): Promise<SlackMessage | null> {
  const { actor } = who;
  switch (cmd.kind) {
    case 'help':
      return buildHelp(deps.playbooks.filter((p) => !isChainId(p.id)));
    case 'request': {
      const outcome = await deps.verbs.start_request({
        actor,
        input: {
          text: cmd.text,
          ...(cmd.chain ? { chain: cmd.chain } : {}),
          channel_id: who.channelId,
          thread_ts: who.threadTs,
          source: who.source,
          idempotency_keys: who.idempotencyKeys,
          ...(who.responseUrl ? { context: { responseUrl: who.responseUrl } } : {}),
        },
      });
      if (outcome.kind === 'describe') {
        const playbook = deps.playbooks.find((p) => p.id === outcome.chain);
        return buildDescribeRequest({
          prefix: who.source === 'mention' ? '@ProjectLead' : COMMAND_LEAD,
          chain: playbook
            ? {
                command: playbook.command,
                title: playbook.title,
                ...(playbook.examples?.[0] ? { example: playbook.examples[0] } : {}),
              }
            : null,
        });
      }
      if (outcome.kind !== 'ask') return null;
      const titles = Object.fromEntries(deps.playbooks.map((p) => [p.id, p.title]));
      return buildChooseChainMessage(outcome.classification, outcome.pendingId, {
        ...CHAIN_TITLES,
        ...titles,
      });
    }
    case 'status': {
      if (cmd.runId) {
        const run = await deps.verbs.get_run({ actor, input: { run_id: cmd.runId } });
        return withDeliveryProblems(
          buildRunStatus(
            run,
            deps.playbooks.find((p) => p.id === run.chain),
          ),
          await deps.deliveries.problems([run.id]),
        );
      }
      const runs = who.channelId
        ? await deps.verbs.list_runs({ actor, input: { channel_id: who.channelId } })
        : [];
      return withDeliveryProblems(
        buildRunStatusList(runs, deps.playbooks),
        await deps.deliveries.problems(runs.map((r) => r.id)),
      );
    }
    case 'mine':
      return buildMineList(await deps.verbs.my_steps({ actor, input: {} }), deps.playbooks);
    case 'roles':
      return buildRolesList(await deps.verbs.list_roles({ actor, input: {} }));
    case 'role_set': {
      // Each group named is checked with Slack, and its members kept, before the role changes;
      // steps handed off while nobody held the role go to the new holders.
      const { holding } = await deps.verbs.set_role({
        actor,
        input: { role: cmd.role, members: cmd.members },
      });
      return buildRolesList([holding]);
    }
    case 'metrics':
      return buildMetricsMessage(
        await deps.verbs.get_metrics({ actor, input: { since_days: METRICS_DAYS } }),
      );
    case 'digest':
      // Its links are permalinks: the workspace URL is known (and recorded) first.
      await deps.workspaceKnown();
      return buildDigestAnswer(await deps.verbs.request_digest({ actor, input: { period: cmd.period } }));
    case 'cancel': {
      try {
        const run = await deps.verbs.cancel_run({ actor, input: { run_id: cmd.runId, reason: cmd.reason } });
        return { text: `${run.id} is cancelled.`, blocks: [] };
      } catch (err) {
        // It waits on linked runs: the requester says what becomes of them.
        if (err instanceof RefusedError && err.code === 'linked_runs_open')
          return buildCancelLinkedQuestion(cmd.runId, err.message, cmd.reason);
        throw err;
      }
    }
    case 'postmortem': {
      const draft = await deps.verbs.post_postmortem({ actor, input: { run_id: cmd.runId } });
      return buildPostmortemPosted(draft);
    }
    case 'gdpr_notified':
      return buildGdprRecordedMessage(
        await deps.verbs.record_gdpr_notification({ actor, input: { run_id: cmd.runId } }),
      );
  }
}
