// API tokens: made by the operator (`projectlead tokens create`), shown once, stored as a
// SHA-256 hash. A token acts as its Slack user with that user's rights (the surface builds the
// actor, src/core/actor.ts); an alerts token may only post monitoring alerts.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { PRINCIPALS } from '../core/principals.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { ApiToken, ApiTokenKind, Store } from '../persistence/ports.ts';

export type { ApiToken, ApiTokenKind };

/** Every token starts so, which makes a leaked one easy to find in logs and scanners. */
export const TOKEN_PREFIX = 'pl_';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export const hashToken = (secret: string) => createHash('sha256').update(secret).digest('hex');

export interface TokenServiceDeps {
  store: Store;
  clock: Clock;
}

export function createTokenService(deps: TokenServiceDeps) {
  return {
    /** A new token: its secret is returned this once and never stored. */
    async create(
      name: string,
      who: { kind: 'user'; userId: string } | { kind: 'alerts' },
    ): Promise<{ token: string; record: ApiToken }> {
      if (!NAME.test(name)) throw new ValidationError('bad_token_name', `"${name}" is not a token name.`);
      if (who.kind === 'user' && !PRINCIPALS.isUser(who.userId))
        throw new ValidationError('bad_requester', `"${who.userId}" is not a Slack user ID.`);
      const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      const now = deps.clock();
      const id = await deps.store.transaction(async (repos) => {
        if ((await repos.apiTokens.list()).some((t) => t.name === name))
          throw new ValidationError('token_exists', `A token named "${name}" exists; revoke it first.`);
        return repos.apiTokens.insert(
          {
            name,
            tokenHash: hashToken(token),
            userId: who.kind === 'user' ? who.userId : null,
            kind: who.kind,
          },
          now,
        );
      });
      const record: ApiToken = {
        id,
        name,
        userId: who.kind === 'user' ? who.userId : null,
        kind: who.kind,
        createdAt: now,
        lastUsedAt: null,
        revokedAt: null,
      };
      return { token, record };
    },

    list: (): Promise<ApiToken[]> => deps.store.read.apiTokens.list(),

    async revoke(name: string): Promise<void> {
      const n = await deps.store.transaction((repos) => repos.apiTokens.revoke(name, deps.clock()));
      if (n === 0) throw new NotFoundError('token_not_found', `There is no token named "${name}".`);
    },

    /** The live token a secret is, or null; its use is recorded. */
    async authenticate(secret: string): Promise<ApiToken | null> {
      if (!secret.startsWith(TOKEN_PREFIX)) return null;
      const token = await deps.store.read.apiTokens.byHash(hashToken(secret));
      if (!token) return null;
      const now = deps.clock();
      if (token.lastUsedAt === null || now - token.lastUsedAt > 60_000)
        await deps.store.transaction((repos) => repos.apiTokens.touch(token.id, now));
      return token;
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
