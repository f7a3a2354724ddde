// One webhook delivery over HTTP: a JSON POST with Node's own HTTP client, on keep-alive agents
// (one per scheme), that resolves with the receiver's status once its answer was read, or
// rejects with why it failed: `timeout` when the whole exchange took longer than `timeoutMs`,
// else the connection's error code. Redirects are not followed. Node's client, not `fetch`: a
// delivery needs none of the WHATWG objects `fetch` builds per request (its Request, Response,
// Headers and AbortSignal were about half of a delivery's cost in `bench:api`).
import http from 'node:http';
import https from 'node:https';

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** Why a delivery failed: `timeout`, a connection error's code, or the error's message. */
export class WebhookPostError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'WebhookPostError';
  }
}

export function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new WebhookPostError('invalid_url'));
      return;
    }
    const scheme = target.protocol;
    if (scheme !== 'http:' && scheme !== 'https:') {
      reject(new WebhookPostError(`unsupported scheme ${scheme}`));
      return;
    }
    const client = scheme === 'https:' ? https : http;
    const fail = (err: Error & { code?: string }) => {
      clearTimeout(timer);
      reject(err instanceof WebhookPostError ? err : new WebhookPostError(err.code ?? err.message));
    };
    const req = client.request(
      target,
      {
        method: 'POST',
        agent: agents[scheme],
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        // The body is not needed; reading it to its end frees the connection.
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve(res.statusCode ?? 0);
        });
        res.resume();
      },
    );
    const timer = setTimeout(() => req.destroy(new WebhookPostError('timeout')), timeoutMs);
    req.on('error', fail);
    req.end(body);
  });
}
