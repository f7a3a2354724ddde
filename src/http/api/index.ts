// The HTTP API under /api/v1: the routes it adds to the one HTTP server. A request is
// authenticated (bearer token: 401, alerts token: 403), rate limited per token (429 with
// Retry-After), matched against the operations table (404, 405), its JSON body read (413, 400),
// then the operation runs with the token's actor, once per `Idempotency-Key` on a POST. Domain
// errors answer with their catalog code and the status of their kind (errors.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Actors } from '../../core/actor.ts';
import { AlreadyActedError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../persistence/ports.ts';
import type { RunService } from '../../services/run-service.ts';
import type { TokenService } from '../../services/tokens.ts';
import type { Verbs } from '../../services/verbs.ts';
import { header, readBody, respond, sendTooLarge } from '../io.ts';
import type { Route } from '../server.ts';
import { authorize, isAnswer } from './auth.ts';
import { type ApiAnswer, errorAnswer, errorBody } from './errors.ts';
import { createIdempotency } from './idempotency.ts';
import { API_MAX_BODY_BYTES, buildOpenApiDocument } from './openapi.ts';
import { type ApiCall, type ApiDeps, type ApiOperation, matchOperation } from './operations.ts';
import { createPresenter } from './present.ts';
import type { RateLimiter } from './rate-limit.ts';

export { API_BASE, API_MAX_BODY_BYTES } from './openapi.ts';

export interface ApiRouteDeps {
  store: Store;
  verbs: Verbs;
  runs: Pick<RunService, 'events'>;
  tokens: Pick<TokenService, 'authenticate'>;
  actors: Actors;
  clock: () => number;
  logger: Logger;
  /** Per token, shared by the API and the MCP server (API_RATE_LIMIT a minute). */
  limiter: RateLimiter;
}

/**
 * A request with an `Idempotency-Key` acted on already whose answer was never kept: the state
 * the action left (`replay`), or 409 saying so.
 */
async function acted(op: ApiOperation, deps: ApiDeps, call: ApiCall): Promise<ApiAnswer> {
  if (!op.replay)
    return {
      status: 409,
      body: errorBody(
        'idempotency_answer_lost',
        'A request with this Idempotency-Key was acted on, but its answer was lost when the bot stopped; read the state it left instead of repeating it.',
      ),
    };
  const answer = await op.replay(deps, call);
  return { ...answer, headers: { ...answer.headers, 'idempotent-replayed': 'true' } };
}

function send(res: ServerResponse, a: ApiAnswer) {
  respond(res, a.status, a.body, a.headers ?? {});
}

export function apiRoutes(deps: ApiRouteDeps): Route[] {
  const present = createPresenter(deps.runs);
  const idempotency = createIdempotency({ store: deps.store, clock: deps.clock });
  const auth = { tokens: deps.tokens, actors: deps.actors, limiter: deps.limiter };
  let openapi: string | null = null;

  async function handle(req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> {
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const path = `/${rest}`;
    if (path === '/openapi.json' && method === 'GET') {
      openapi ??= JSON.stringify(buildOpenApiDocument());
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(openapi);
      return;
    }
    const caller = await authorize(auth, req);
    if (isAnswer(caller)) return send(res, caller);
    const found = matchOperation(method, path);
    if (!found)
      return send(res, { status: 404, body: errorBody('not_found', `Nothing is served at /api/v1${path}.`) });
    if ('allowed' in found)
      return send(res, {
        status: 405,
        body: errorBody('method_not_allowed', `/api/v1${path} takes ${found.allowed.join(', ')}.`),
        headers: { allow: found.allowed.join(', ') },
      });
    let text = '';
    let body: unknown = {};
    if (method === 'POST') {
      const read = await readBody(req, API_MAX_BODY_BYTES);
      if (read === null) return sendTooLarge(res, API_MAX_BODY_BYTES);
      text = read;
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          return send(res, { status: 400, body: errorBody('bad_json', 'The body is not valid JSON.') });
        }
      }
    }
    const key = method === 'POST' ? header(req, 'idempotency-key') : undefined;
    // With a key, the action claims it in its own transaction (`Actor.once`): a repeat acts no
    // more even when the first request's answer was never kept (its process stopped between).
    const actor =
      key === undefined ? caller.actor : { ...caller.actor, once: `api:${caller.token.id}:${key}` };
    // Read only for an operation that takes query parameters (the verbs' hot path takes none).
    const query: Record<string, string> = {};
    if (found.op.query)
      for (const [name, value] of new URL(req.url ?? '/', 'http://api').searchParams) query[name] ??= value;
    const call = { actor, token: caller.token, params: found.params, query, body };
    const apiDeps = { verbs: deps.verbs, present };
    const act = async (): Promise<ApiAnswer> => {
      try {
        return await found.op.handle(apiDeps, call);
      } catch (err) {
        if (err instanceof AlreadyActedError) return acted(found.op, apiDeps, call);
        const answer = errorAnswer(err);
        if (answer) return answer;
        throw err;
      }
    };
    const answer =
      key === undefined
        ? await act()
        : await idempotency.once(caller.token.id, key, { method, path, body: text }, act);
    send(res, answer);
  }

  const route = (method: 'GET' | 'POST'): Route => ({
    method,
    path: '/api/v1/*',
    maxBodyBytes: API_MAX_BODY_BYTES,
    handle: (req, res, { rest }) =>
      handle(req, res, rest).catch((err: unknown) => {
        deps.logger.error('API request failed', { error: String((err as Error).stack ?? err) });
        send(res, { status: 500, body: errorBody('internal', 'Something went wrong; it was logged.') });
      }),
  });
  return [route('GET'), route('POST')];
}
