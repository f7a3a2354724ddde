// The outbox as the bot runs it today: the transport-neutral worker delivering through the Slack
// channel. A second channel (webhooks) joins the `channels` list here.
import { createOutboxWorker, type OutboxWorker, type OutboxWorkerOptions } from '../../outbox/worker.ts';
import { createSlackChannel, type SlackChannelOptions } from './channel.ts';

export type SlackSenderOptions = SlackChannelOptions & Omit<OutboxWorkerOptions, 'channels'>;

export function createSlackSender(opts: SlackSenderOptions): OutboxWorker {
  return createOutboxWorker({ ...opts, channels: [createSlackChannel(opts)] });
}
