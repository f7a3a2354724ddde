// `Idempotency-Key` on API POSTs (as Stripe does it): the first request with a key acts and its
// answer is kept for a day; the same key again gets that answer and acts no more. The key is
// claimed before acting, so two requests racing with one key act once (the second hears 409
// while the first runs). A key sent again with another request is refused (422). The answer is
// kept after the action commits: a process that stops in between leaves the key unanswered, and
// after ABANDONED_MS a repeat runs `act` again. The action acts no more then: the router puts
// the key on the actor (`Actor.once`), which the action claims in its own transaction, and a
// start also keeps it as its run's key (index.ts answers such a repeat from the state left).
import { createHash } from 'node:crypto';
import type { Store } from '../../persistence/ports.ts';
import { type ApiAnswer, errorBody } from './errors.ts';

/** How long answers are kept. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
const MAX_KEY = 255;
/** A key claimed this long ago and still unanswered was left by a process that died: free again. */
const ABANDONED_MS = 60_000;

export interface IdempotencyDeps {
  store: Store;
  clock: () => number;
}

export function createIdempotency(deps: IdempotencyDeps) {
  let lastPurge = 0;

  async function purgeNow(now: number) {
    if (now - lastPurge < 10 * 60_000) return;
    lastPurge = now;
    await deps.store.transaction((repos) => repos.apiRequests.purge(now - IDEMPOTENCY_TTL_MS));
  }

  return {
    /** Answer once per key: `act` runs only for the first request with it. */
    async once(
      tokenId: number,
      key: string,
      request: { method: string; path: string; body: string },
      act: () => Promise<ApiAnswer>,
    ): Promise<ApiAnswer> {
      if (key.length === 0 || key.length > MAX_KEY)
        return {
          status: 400,
          body: errorBody('bad_input', `An Idempotency-Key is 1 to ${MAX_KEY} characters.`),
        };
      const now = deps.clock();
      await purgeNow(now);
      const fingerprint = createHash('sha256')
        .update(`${request.method} ${request.path}\n${request.body}`)
        .digest('hex');
      const claim = () =>
        deps.store.transaction((repos) => repos.apiRequests.claim(tokenId, key, fingerprint, now));
      let earlier = await claim();
      if (earlier && earlier.status === null && now - earlier.createdAt > ABANDONED_MS) {
        await deps.store.transaction((repos) => repos.apiRequests.release(tokenId, key));
        earlier = await claim();
      }
      if (earlier) {
        if (earlier.fingerprint !== fingerprint)
          return {
            status: 422,
            body: errorBody('idempotency_key_reused', 'This Idempotency-Key was sent with another request.'),
          };
        if (earlier.status === null)
          return {
            status: 409,
            body: errorBody(
              'idempotency_in_progress',
              'A request with this Idempotency-Key is still being handled.',
            ),
          };
        return { status: earlier.status, body: earlier.body, headers: { 'idempotent-replayed': 'true' } };
      }
      let answer: ApiAnswer;
      try {
        answer = await act();
      } catch (err) {
        await deps.store.transaction((repos) => repos.apiRequests.release(tokenId, key));
        throw err;
      }
      // A server error is not an answer to keep: the key may be tried again.
      if (answer.status >= 500)
        await deps.store.transaction((repos) => repos.apiRequests.release(tokenId, key));
      else
        await deps.store.transaction((repos) =>
          repos.apiRequests.complete(tokenId, key, answer.status, answer.body),
        );
      return answer;
    },
  };
}

export type Idempotency = ReturnType<typeof createIdempotency>;
