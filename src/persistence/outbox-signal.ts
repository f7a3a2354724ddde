// "Messages are owed": what a store tells the outbox worker of its own process once a
// transaction that added outbox rows has committed, so the worker claims them at once instead of
// at its next poll. Rows written by other processes still wait for the poll.
import type { Repositories } from './ports.ts';

export class OutboxSignal {
  private readonly listeners = new Set<() => void>();
  /** The highest outbox id a commit of this process has told of. */
  private highest = 0;

  /** Call `listener` after each commit that added outbox rows; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * After a commit whose enqueues were handed `top` as their highest id: tell the listeners
   * when it added a row, none of whose failures reaches the committer. A root update folded into
   * one already waiting adds none: its id is an older row's. Ids only grow (SQLite's
   * AUTOINCREMENT, a PostgreSQL sequence), so an id above every one told before is a row just
   * added; an older row this process never saw (another process added it) may wake the worker
   * once for nothing. Only commits count: a rolled-back SQLite id is handed out again.
   */
  committed(top: number): void {
    if (top <= this.highest) return;
    this.highest = top;
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
 * The repositories, with `outbox.enqueue` also calling `handed` with the ids it resolves with
 * (the other outbox methods and repositories are the same objects).
 */
export function signallingOutbox(repos: Repositories, handed: (ids: number[]) => void): Repositories {
  const outbox = repos.outbox;
  const watched: typeof outbox = Object.create(outbox);
  watched.enqueue = async (items, now) => {
    const ids = await outbox.enqueue(items, now);
    handed(ids);
    return ids;
  };
  return { ...repos, outbox: watched };
}

/** The highest of these ids and `top`. */
export function highestId(top: number, ids: number[]): number {
  for (const id of ids) if (id > top) top = id;
  return top;
}
