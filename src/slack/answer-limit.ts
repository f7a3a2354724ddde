// The loop guard's second half: at most a few answers a minute to one author in one thread,
// whatever they send (a bot that answers every message cannot make two apps loop). In memory, per
// process, on the injected clock.
import type { Clock } from '../core/clock.ts';

export interface AnswerLimit {
  /** True when one more answer to `author` in `thread` is allowed now (and counts it). */
  take(thread: string, author: string): boolean;
}

export const ANSWERS_PER_MINUTE = 3;
const WINDOW_MS = 60_000;

export function createAnswerLimit(clock: Clock, perMinute = ANSWERS_PER_MINUTE): AnswerLimit {
  const sent = new Map<string, number[]>();
  return {
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
