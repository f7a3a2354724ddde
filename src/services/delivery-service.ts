// What became of a run's messages in Slack, as verbs: the bot was invited to a channel (the
// messages held for it there go out), and which messages Slack refused (held or failed), for
// `/lead status` and the digest. The outbox sender holds and fails rows; this releases them.

import type { Clock } from '../core/clock.ts';
import { isChannelId } from '../core/principals.ts';
import type { DeliveryProblem } from '../domain/notices.ts';
import { ValidationError } from '../errors.ts';
import type { Store } from '../persistence/ports.ts';

export interface DeliveryServiceDeps {
  store: Store;
  clock: Clock;
}

/** A channel the bot can be invited to: a Slack channel ID, not a DM. */
const isInvitable = (id: string) => isChannelId(id) && !id.startsWith('D');

export function createDeliveryService(deps: DeliveryServiceDeps) {
  return {
    /**
     * The bot is in the channel now: the messages held for it there are due again, in their
     * order, and each run they belong to records a `delivery_resumed` event.
     */
    async botJoinedChannel(channelId: string): Promise<{ released: number; runIds: string[] }> {
      if (!isInvitable(channelId))
        throw new ValidationError('bad_channel', `"${channelId}" is not a Slack channel ID.`);
      return deps.store.transaction(async (repos) => {
        const now = deps.clock();
        const { count, runIds } = await repos.outbox.releaseHeld(channelId, now);
        await repos.events.append(
          runIds.map((runId) => ({
            runId,
            at: now,
            actor: 'system',
            type: 'delivery_resumed',
            stepKey: null,
            data: { channelId },
          })),
        );
        return { released: count, runIds };
      });
    },

    /** Channels where messages wait for the bot to be invited. */
    heldChannels(): Promise<string[]> {
      return deps.store.read.outbox.heldChannels();
    },

    /** Messages of these runs that Slack refused: held until the bot is invited, or failed. */
    problems(runIds: string[]): Promise<DeliveryProblem[]> {
      return deps.store.read.outbox.deliveryProblems(runIds);
    },
  };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
