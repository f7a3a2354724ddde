// What `/lead <text>` and `@ProjectLead <text>` do: one service call per subcommand and the
// answer for the requester alone (null when the run's own messages say it all).
import { CHAIN_TITLES } from '../../routing/classifier/types.ts';
import type { RunSource } from '../../src/domain/types.ts';
import {
  buildDigestAnswer,
  buildGdprRecordedMessage,
  buildMetricsMessage,
  buildPostmortemPosted,
} from '../../src/slack/blocks/clocks/index.ts';
import {
  buildChooseChainMessage,
  buildDescribeRequest,
  buildHelp,
  buildMineList,
  buildRolesList,
  buildRunStatus,
  buildRunStatusList,
  withDeliveryProblems,
} from '../../src/slack/blocks/index.ts';
import type { SlackMessage } from '../../src/slack/blocks/kit.ts';
import { COMMAND_LEAD } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import type { LeadCommand } from './parse.ts';

export interface Asker {
  userId: string;
  channelId: string | null;
  threadTs: string | null;
  source: RunSource;
  idempotencyKeys: string[];
  /** A slash command's response_url: where the requester is told if the run cannot start. */
  responseUrl?: string;
}

export async function answerLead(
  cmd: LeadCommand,
  who: Asker,
  deps: HandlerDeps,
): Promise<SlackMessage | null> {
  switch (cmd.kind) {
    case 'help':
      return buildHelp();
    case 'request': {
      const outcome = await deps.requests.submit({
        text: cmd.text,
        chain: cmd.chain ?? undefined,
        requester: who.userId,
        channelId: who.channelId,
        threadTs: who.threadTs,
        source: who.source,
        idempotencyKeys: who.idempotencyKeys,
        ...(who.responseUrl ? { context: { responseUrl: who.responseUrl } } : {}),
      });
      if (outcome.kind === 'describe') {
        const playbook = deps.playbooks.find((p) => p.id === outcome.chain);
        return buildDescribeRequest({
          prefix: who.source === 'mention' ? '@ProjectLead' : COMMAND_LEAD,
          chain: playbook ? { command: playbook.command, title: playbook.title } : null,
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
        const run = await deps.runs.getRun(cmd.runId);
        return withDeliveryProblems(
          buildRunStatus(
            run,
            deps.playbooks.find((p) => p.id === run.chain),
          ),
          await deps.deliveries.problems([run.id]),
        );
      }
      const runs = who.channelId ? await deps.runs.openRunsInChannel(who.channelId) : [];
      return withDeliveryProblems(
        buildRunStatusList(runs, deps.playbooks),
        await deps.deliveries.problems(runs.map((r) => r.id)),
      );
    }
    case 'mine':
      return buildMineList(await deps.runs.waitingOn(who.userId), deps.playbooks);
    case 'roles':
      return buildRolesList(await deps.roles.listRoles());
    case 'role_set': {
      // Each group named is checked with Slack, and its members kept, before the role changes.
      const holding = await deps.roles.setRole(who.userId, cmd.role, cmd.members, {
        usergroups: deps.lookupUsergroup,
      });
      // Steps handed off while nobody held the role go to the new holders now.
      await deps.runs.adoptRoleHolders(who.userId, holding.role);
      return buildRolesList([holding]);
    }
    case 'metrics':
      return buildMetricsMessage(await deps.reports.metrics());
    case 'digest':
      return buildDigestAnswer(await deps.reports.digest(cmd.period, who.userId));
    case 'cancel': {
      const run = await deps.runs.cancelRun(cmd.runId, who.userId, { reason: cmd.reason });
      return { text: `${run.id} is cancelled.`, blocks: [] };
    }
    case 'postmortem': {
      const draft = await deps.postmortems.postPostmortem(cmd.runId, who.userId);
      return buildPostmortemPosted(draft);
    }
    case 'gdpr_notified':
      return buildGdprRecordedMessage(await deps.clocks.recordGdprNotification(cmd.runId, who.userId, {}));
  }
}
