// The outbox as the bot runs it: the transport-neutral worker delivering through the Slack
// channel, and through the other channels given (webhooks).
import type { DeliveryChannel } from '../../outbox/channel.ts';
import { createOutboxWorker, type OutboxWorker, type OutboxWorkerOptions } from '../../outbox/worker.ts';
import { createSlackChannel, type SlackChannelOptions } from './channel.ts';

export type SlackSenderOptions = SlackChannelOptions &
  Omit<OutboxWorkerOptions, 'channels'> & { otherChannels?: readonly DeliveryChannel[] };

export function createSlackSender(opts: SlackSenderOptions): OutboxWorker {
  const slack = createSlackChannel(opts);
  return createOutboxWorker({
    ...opts,
    // Slack's lanes wait for their slot as they would alone, whatever other channels' pace.
    maxPacingWaitMs: opts.maxPacingWaitMs ?? Math.min(slack.intervalMs, 250),
    channels: [slack, ...(opts.otherChannels ?? [])],
  });
}
