// Who calls: the bearer token of a request to the API or the MCP server, its rate limit, and the
// actor it acts as (its Slack user, built as Slack's edge builds one; named by the token's name
// in the thread and the events log). Alerts tokens are refused everywhere but alert intake.
import type { IncomingMessage } from 'node:http';
import type { Actors } from '../../core/actor.ts';
import type { Actor } from '../../domain/types.ts';
import type { ApiToken } from '../../persistence/ports.ts';
import type { TokenService } from '../../services/tokens.ts';
import { bearerToken } from '../io.ts';
import { type ApiAnswer, errorBody } from './errors.ts';
import type { RateLimiter } from './rate-limit.ts';

export interface ApiAuthDeps {
  tokens: Pick<TokenService, 'authenticate'>;
  actors: Actors;
  limiter: RateLimiter;
}

export type Caller = { token: ApiToken; actor: Actor };

const unauthorized = (message: string): ApiAnswer => ({
  status: 401,
  body: errorBody('unauthorized', message),
  headers: { 'www-authenticate': 'Bearer' },
});

/** The caller of a request, or the answer that refuses it (401, 403, 429). */
export async function authorize(deps: ApiAuthDeps, req: IncomingMessage): Promise<Caller | ApiAnswer> {
  const secret = bearerToken(req);
  if (!secret) return unauthorized('Send the API token as "Authorization: Bearer <token>".');
  const token = await deps.tokens.authenticate(secret);
  if (!token) return unauthorized('The token is unknown or revoked.');
  if (token.kind === 'alerts' || token.userId === null)
    return {
      status: 403,
      body: errorBody('token_alerts_only', 'An alerts token may only post monitoring alerts.'),
    };
  const waitMs = deps.limiter.take(token.id);
  if (waitMs > 0)
    return {
      status: 429,
      body: errorBody('rate_limited', 'Too many requests with this token; try again later.'),
      headers: { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) },
    };
  const actor = await deps.actors.resolve({ kind: 'api_user', userId: token.userId, label: token.name });
  return { token, actor };
}

export const isAnswer = (x: Caller | ApiAnswer): x is ApiAnswer => 'status' in x;
