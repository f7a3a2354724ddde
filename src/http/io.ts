// Reading request bodies and writing answers, for every route of the HTTP server.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An answer: no body, text, or JSON. Does nothing once headers are sent. */
export function respond(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  if (body === undefined || body === '') {
    res.writeHead(status, { 'content-length': '0', ...headers });
    res.end();
  } else if (typeof body === 'string') {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
  } else {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }
}

/** An error as the API answers it: `{"error": {"code", "message"}}`. */
export function respondError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  respond(res, status, { error: { code, message } }, headers);
}

/** A request header's first value. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(req: IncomingMessage): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(header(req, 'authorization') ?? '')?.[1] ?? null;
}

/** The declared length of the body, when the client declared one. */
export function declaredLength(req: IncomingMessage): number | null {
  const v = header(req, 'content-length');
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
}

/** A body past this many times the limit is not read to its end: the connection is cut. */
const DISCARD_FACTOR = 64;

/**
 * The body, or null when it is over the limit. An oversized body is still read to its end (and
 * thrown away) before the caller answers 413: closing a socket the client is still writing to
 * makes its kernel send a reset, and the client would lose the answer. A client sending far more
 * than that is abusive: its connection is cut.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > DISCARD_FACTOR * limit) {
        req.destroy();
        return;
      }
      if (size > limit) chunks.length = 0;
      else chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** What a client reads when its body is over the limit: a JSON error, as every other one. */
export function sendTooLarge(res: ServerResponse, limit: number): void {
  respondError(res, 413, 'body_too_large', `The body is over ${limit} bytes, the most this path takes.`, {
    connection: 'close',
  });
}
