// Socket Mode: Bolt's SocketModeReceiver against SLACK_API_URL (apps.connections.open), plus a
// small HTTP server that answers `GET /healthz` on PORT as in HTTP mode.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger as BoltLogger, SocketModeReceiver } from '@slack/bolt';
import { closeServer, HEALTH_PATH, listen } from './receiver-http.ts';

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

/** `GET /healthz` only: 200 once ready, 503 before and while stopping, 404 elsewhere. */
export class HealthServer {
  private server: Server | undefined;
  private accepting = true;

  constructor(private readonly isReady: () => boolean) {}

  start(port: number): Promise<Server> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== HEALTH_PATH) {
        res.writeHead(404).end();
        return;
      }
      const ready = this.accepting && this.isReady();
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: ready }));
    });
    this.server = server;
    return listen(server, port);
  }

  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null | undefined)?.port;
  }

  async stop(): Promise<void> {
    this.accepting = false;
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }
}
