// A per-token rate limit: a token bucket per token, `perMinute` requests a minute with bursts up
// to that many. Kept in memory: each bot process limits what it is asked itself.

export interface RateLimiter {
  /** Take one request for the token: 0 when allowed, else how many ms until one is. */
  take(tokenId: number): number;
}

export function createRateLimiter(opts: { perMinute: number; clock: () => number }): RateLimiter {
  const capacity = opts.perMinute;
  const perMs = opts.perMinute / 60_000;
  const buckets = new Map<number, { tokens: number; at: number }>();
  return {
    take(tokenId) {
      const now = opts.clock();
      const b = buckets.get(tokenId) ?? { tokens: capacity, at: now };
      b.tokens = Math.min(capacity, b.tokens + Math.max(0, now - b.at) * perMs);
      b.at = now;
      buckets.set(tokenId, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - b.tokens) / perMs);
    },
  };
}
