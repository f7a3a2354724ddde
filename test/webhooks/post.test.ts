// One webhook POST over Node's HTTP client: the status once the answer was read, redirects not
// followed, connections kept alive, and why a delivery failed (a timeout, a refused connection,
// a scheme that is not HTTP).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { postWebhook, WebhookPostError } from '../../src/webhooks/post.ts';

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

/** A receiver answering each request with `answer`; what it received, and its connections. */
async function receiver(
  answer: (req: IncomingMessage, body: string) => { status: number; headers?: Record<string, string> } | null,
) {
  const got: { method: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let connections = 0;
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      got.push({ method: req.method!, headers: req.headers, body });
      const a = answer(req, body);
      if (!a) return; // hangs
      res.writeHead(a.status, a.headers).end('a body the sender reads and drops');
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, got, connections: () => connections };
}

const reason = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof WebhookPostError ? e.reason : `not a WebhookPostError: ${e}`),
  );

describe('a webhook POST', () => {
  it('when the receiver answers, then its status comes back, the body and headers arrived, and the connection is used again', async () => {
    const r = await receiver(() => ({ status: 204 }));
    const body = JSON.stringify({ type: 'step.completed', note: 'déjà vu' });
    expect(
      await postWebhook(r.url, { 'webhook-id': 'msg_1', 'content-type': 'application/json' }, body, 5000),
    ).toBe(204);
    expect(await postWebhook(r.url, { 'webhook-id': 'msg_2' }, '{}', 5000)).toBe(204);
    expect(r.got.map((g) => [g.method, g.headers['webhook-id'], g.body])).toEqual([
      ['POST', 'msg_1', body],
      ['POST', 'msg_2', '{}'],
    ]);
    expect(r.got[0]!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(r.connections()).toBe(1);
  });

  it('when the receiver fails or redirects, then that status comes back and no redirect is followed', async () => {
    const r = await receiver((req) =>
      req.headers['webhook-id'] === 'moved'
        ? { status: 302, headers: { location: '/elsewhere' } }
        : { status: 503 },
    );
    expect(await postWebhook(r.url, { 'webhook-id': 'fails' }, '{}', 5000)).toBe(503);
    expect(await postWebhook(r.url, { 'webhook-id': 'moved' }, '{}', 5000)).toBe(302);
    expect(r.got).toHaveLength(2);
  });

  it('when the receiver does not answer in time, then it fails as a timeout', async () => {
    const r = await receiver(() => null);
    // A deadline already over: the request is given up at once, whatever the receiver does.
    expect(await reason(postWebhook(r.url, {}, '{}', 0))).toBe('timeout');
  });

  it('when nothing listens, or the URL is not HTTP, then it fails with why', async () => {
    const r = await receiver(() => ({ status: 200 }));
    const closed = r.url;
    server!.close();
    server = null;
    expect(await reason(postWebhook(closed, {}, '{}', 5000))).toBe('ECONNREFUSED');
    expect(await reason(postWebhook('ftp://example.test/hook', {}, '{}', 5000))).toBe(
      'unsupported scheme ftp:',
    );
    expect(await reason(postWebhook('not a url', {}, '{}', 5000))).toBe('invalid_url');
  });
});
