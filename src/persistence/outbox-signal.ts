// "Messages are owed": what a store tells the outbox worker of its own process once a
// transaction that wrote outbox rows has committed, so the worker claims them at once instead of
// at its next poll. Rows written by other processes still wait for the poll.
import type { Repositories } from './ports.ts';

export class OutboxSignal {
  private readonly listeners = new Set<() => void>();

  /** Call `listener` after each commit that wrote outbox rows; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** After a commit: tell the listeners, none of whose failures reaches the committer. */
  committed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A listener's own problem: the transaction has committed all the same.
      }
    }
  }
}

/**
 * The repositories, with `outbox.enqueue` also calling `wrote` when it writes rows (the other
 * outbox methods and repositories are the same objects).
 */
export function signallingOutbox(repos: Repositories, wrote: () => void): Repositories {
  const outbox = repos.outbox;
  const watched: typeof outbox = Object.create(outbox);
  watched.enqueue = (items, now) => {
    if (items.length > 0) wrote();
    return outbox.enqueue(items, now);
  };
  return { ...repos, outbox: watched };
}
