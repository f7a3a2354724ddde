// The loop guard's second half: at most a few answers a minute to one author in one thread,
// whatever they send (a bot that answers every message cannot make two apps loop). In memory, per
// process, on the injected clock.
import type { Clock } from '../core/clock.ts';

export interface AnswerLimit {
  /** True when one more answer to `author` in `thread` is allowed now (and counts it). */
  take(thread: string, author: string): boolean;
  /**
   * True the first time a message (`channel:ts`) is seen: Slack repeats an event whose ack it
   * missed, and a thread verb must act once.
   */
  firstSight(message: string): boolean;
}

const SEEN_KEPT = 5000;

export const ANSWERS_PER_MINUTE = 3;
const WINDOW_MS = 60_000;

export function createAnswerLimit(clock: Clock, perMinute = ANSWERS_PER_MINUTE): AnswerLimit {
  const sent = new Map<string, number[]>();
  const seen = new Set<string>();
  return {
    firstSight(message) {
      if (seen.has(message)) return false;
      seen.add(message);
      // Oldest first in a Set: drop the oldest beyond the bound.
      if (seen.size > SEEN_KEPT) seen.delete(seen.values().next().value as string);
      return true;
    },
    take(thread, author) {
      const now = clock();
      const key = `${thread} ${author}`;
      const recent = (sent.get(key) ?? []).filter((at) => now - at < WINDOW_MS);
      if (sent.size > 10_000) {
        for (const [k, times] of sent) if (times.every((at) => now - at >= WINDOW_MS)) sent.delete(k);
      }
      if (recent.length >= perMinute) {
        sent.set(key, recent);
        return false;
      }
      recent.push(now);
      sent.set(key, recent);
      return true;
    },
  };
}
