// Socket Mode: Bolt's SocketModeReceiver against SLACK_API_URL (apps.connections.open). The HTTP
// server (src/http/server.ts) still answers `GET /healthz` on PORT, as in HTTP mode.
import { type Logger as BoltLogger, SocketModeReceiver } from '@slack/bolt';

export interface SocketReceiverOptions {
  appToken: string;
  slackApiUrl?: string;
  logger: BoltLogger;
}

export function createSocketReceiver(opts: SocketReceiverOptions): SocketModeReceiver {
  return new SocketModeReceiver({
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
}
