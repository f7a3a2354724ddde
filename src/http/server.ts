// The one HTTP server on PORT, in HTTP mode and Socket Mode alike, with a route table: Slack's
// events (`POST /slack/events`, HTTP mode), `GET /healthz`, and whatever a surface registers
// (`/api/v1/*`, `/mcp`). An unknown path gets 404 and a known one asked with another method 405,
// both as JSON errors; a body over a route's limit gets 413 (before the client sends it, when it
// asks with `Expect: 100-continue`); a failing handler gets 500 and never stops the process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';
import { declaredLength, respond, respondError, sendTooLarge } from './io.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  method: Method;
  /** An exact path (`/healthz`), or a prefix ending in `/*` (`/api/v1/*`). */
  path: string;
  /** A body declared longer than this gets 413 without being read (`Expect: 100-continue`). */
  maxBodyBytes?: number;
  /** Answers the request; `rest` is what follows a prefix route's `/` (empty for exact paths). */
  handle(req: IncomingMessage, res: ServerResponse, match: { rest: string }): Promise<void> | void;
}

export interface HttpServer {
  /** Add a route. One route per method and path; exact paths win over prefixes, longer prefixes first. */
  route(route: Route): void;
  /** Listen on the port (0: any free port). */
  listen(port: number): Promise<void>;
  /** Stop accepting connections; idle keep-alive ones close now, busy ones when their request ends. */
  close(): Promise<void>;
  readonly port: number | undefined;
}

/** Listen on the port (0: any free port). */
export function listen(server: Server, port: number, host?: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Stop accepting connections; idle keep-alive ones close now, busy ones when their request ends. */
export function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

interface Table {
  exact: Map<string, Map<string, Route>>;
  /** Prefix routes, longest prefix first. */
  prefixes: { prefix: string; methods: Map<string, Route> }[];
}

/** The routes for a path (by method), and what follows a prefix. */
function lookup(table: Table, path: string): { methods: Map<string, Route>; rest: string } | null {
  const exact = table.exact.get(path);
  if (exact) return { methods: exact, rest: '' };
  for (const p of table.prefixes)
    if (path.startsWith(p.prefix)) return { methods: p.methods, rest: path.slice(p.prefix.length) };
  return null;
}

/** The route for the request: a GET route answers HEAD too. */
function routeFor(table: Table, req: IncomingMessage) {
  const path = (req.url ?? '/').split('?')[0]!;
  const found = lookup(table, path);
  if (!found) return { path, route: null, allowed: null };
  const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
  return {
    path,
    route: found.methods.get(method) ?? null,
    rest: found.rest,
    allowed: [...found.methods.keys()],
  };
}

/** `host`: the address to listen on (default every interface; the sandbox says 127.0.0.1). */
export function createHttpServer(opts: { logger: Logger; host?: string }): HttpServer {
  const log = opts.logger;
  const table: Table = { exact: new Map(), prefixes: [] };
  let server: Server | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, route, rest, allowed } = routeFor(table, req);
    if (!allowed) return respondError(res, 404, 'not_found', `Nothing is served at ${path}.`);
    if (!route) {
      const allow = allowed.join(', ');
      return respondError(res, 405, 'method_not_allowed', `${path} takes ${allow}.`, { allow });
    }
    await route.handle(req, res, { rest: rest ?? '' });
  }

  function onRequest(req: IncomingMessage, res: ServerResponse) {
    handle(req, res).catch((err: unknown) => {
      log.error('HTTP request failed', { error: String(err) });
      respond(res, 500);
    });
  }

  return {
    route(route) {
      const methods = new Map<string, Route>();
      let entry: Map<string, Route>;
      if (route.path.endsWith('/*')) {
        const prefix = route.path.slice(0, -1);
        const found = table.prefixes.find((p) => p.prefix === prefix);
        entry = found?.methods ?? methods;
        if (!found) {
          table.prefixes.push({ prefix, methods });
          table.prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
        }
      } else {
        entry = table.exact.get(route.path) ?? methods;
        table.exact.set(route.path, entry);
      }
      if (entry.has(route.method)) throw new Error(`Two routes for ${route.method} ${route.path}`);
      entry.set(route.method, route);
    },

    async listen(port) {
      const s = createServer(onRequest);
      // A client that asks before sending (`Expect: 100-continue`, as curl does for big bodies)
      // hears 413 at once when it declares more than its route takes, and sends nothing.
      s.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
        const limit = routeFor(table, req).route?.maxBodyBytes;
        const declared = declaredLength(req);
        if (limit !== undefined && declared !== null && declared > limit) {
          log.warn('Refused a request body over the limit', { bytes: declared });
          sendTooLarge(res, limit);
          return;
        }
        res.writeContinue();
        onRequest(req, res);
      });
      s.keepAliveTimeout = 5000;
      server = s;
      await listen(s, port, opts.host);
    },

    async close() {
      const s = server;
      server = undefined;
      await closeServer(s);
    },

    get port() {
      return (server?.address() as AddressInfo | null | undefined)?.port;
    },
  };
}
