// A webhook receiver for tests: a local HTTP server that checks each delivery with the receiver
// side of Standard Webhooks (the `standardwebhooks` reference implementation) and answers as
// the test says (200 by default; a status, or never).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  /** Whether the signature verified with the subscription's secret. */
  verified: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: payloads are read field by field in tests
  body: { type: string; timestamp: string; data: Record<string, any> };
  answered: number | 'hang';
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** The secret deliveries are verified with (set once the subscription exists). */
  secret: string;
  /** What to answer the n-th delivery (0-based) of a webhook id; 200 when it returns nothing. */
  answer: (id: string, attempt: number) => number | 'hang' | undefined;
  /** The deliveries that verified, oldest first. */
  verified(): ReceivedWebhook[];
  close(): Promise<void>;
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => resolve(text));
  });

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const hung: import('node:http').ServerResponse[] = [];
  const r: WebhookReceiver = {
    url: '',
    received: [],
    secret: '',
    answer: () => undefined,
    verified: () => r.received.filter((x) => x.verified),
    close: () =>
      new Promise((resolve) => {
        for (const res of hung) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer(async (req, res) => {
    const text = await read(req);
    const headers = {
      'webhook-id': String(req.headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
    };
    let verified = false;
    try {
      new Webhook(r.secret).verify(text, headers);
      verified = true;
    } catch {
      verified = false;
    }
    const attempt = r.received.filter((x) => x.id === headers['webhook-id']).length;
    const answered = r.answer(headers['webhook-id'], attempt) ?? 200;
    r.received.push({
      id: headers['webhook-id'],
      timestamp: headers['webhook-timestamp'],
      signature: headers['webhook-signature'],
      verified,
      body: JSON.parse(text),
      answered,
    });
    if (answered === 'hang') {
      hung.push(res);
      return;
    }
    res.writeHead(answered);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return r;
}
