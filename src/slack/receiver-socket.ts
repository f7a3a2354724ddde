// Socket Mode: Bolt's SocketModeReceiver against SLACK_API_URL (apps.connections.open). The HTTP
// server (src/http/server.ts) still answers `GET /healthz` on PORT, as in HTTP mode.
//
// Bolt acknowledges an event's envelope before its listener runs. Here the envelope's ack waits
// for the listener (until Slack's 3 s deadline is near), as the HTTP receiver's 200 does: a
// process that dies before an event's work is stored never acknowledged it, and Slack delivers
// it again, to this connection or another.
import { type Logger as BoltLogger, SocketModeReceiver } from '@slack/bolt';
import { ACK_DEADLINE_MS } from './receiver-http.ts';

export interface SocketReceiverOptions {
  appToken: string;
  slackApiUrl?: string;
  logger: BoltLogger;
}

type AckFn = (response?: Record<string, unknown>) => Promise<void>;
interface SlackEventArgs {
  ack: AckFn;
  type: string;
  body?: Record<string, unknown>;
  [k: string]: unknown;
}

export function createSocketReceiver(opts: SocketReceiverOptions): SocketModeReceiver {
  const receiver = new SocketModeReceiver({
    appToken: opts.appToken,
    logger: opts.logger,
    // A fresh object: SocketModeClient keeps (and mutates) what it is given.
    installerOptions: {
      clientOptions: {
        ...(opts.slackApiUrl ? { slackApiUrl: opts.slackApiUrl } : {}),
        retryConfig: { retries: 10, factor: 1.6, minTimeout: 500, maxTimeout: 30_000, randomize: true },
      },
    },
  });
  // Bolt's own listener runs every envelope; events go through it with their ack held back.
  const client = receiver.client;
  const [bolt] = client.listeners('slack_event') as ((args: SlackEventArgs) => Promise<void>)[];
  if (!bolt) throw new Error('Bolt registered no Socket Mode listener');
  client.removeListener('slack_event', bolt);
  client.on('slack_event', (args: SlackEventArgs) => {
    if (args.type !== 'events_api') return bolt(args);
    return answerWhenDone(args, bolt);
  });
  return receiver;
}

async function answerWhenDone(args: SlackEventArgs, bolt: (args: SlackEventArgs) => Promise<void>) {
  let acked: [Record<string, unknown>?] | null = null;
  let sent = false;
  const send = async () => {
    if (sent || !acked) return;
    sent = true;
    await args.ack(...acked);
  };
  const deadline = setTimeout(() => void send().catch(() => undefined), ACK_DEADLINE_MS);
  try {
    await bolt({
      ...args,
      ack: async (...response: [Record<string, unknown>?]) => {
        acked ??= response;
      },
    });
  } finally {
    clearTimeout(deadline);
    await send();
  }
}
