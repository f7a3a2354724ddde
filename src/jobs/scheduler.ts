// The timer scheduler: every ~30 s (and once at start, to catch up after downtime) it fires
// the timers that are due. Timers are rows, never in-memory setTimeouts; each is claimed by a
// compare-and-set, so with two bot processes on one database each fires exactly once.
import type { RoleDirectory } from '../../routing/roles.ts';
import type { Clock } from '../core/clock.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { Store } from '../persistence/ports.ts';
import {
  type FireContext,
  type FiredTimer,
  fireDueTimers,
  LATE_AFTER_MS,
} from '../services/clocks/fire-timers.ts';

export const TICK_INTERVAL_MS = 30_000;

export interface SchedulerDeps {
  store: Store;
  clock: Clock;
  /** Names this process in `timers.claimed_by` and the events (e.g. host:pid). */
  workerId: string;
  directory: RoleDirectory;
  /** ADMIN_USER_IDS: told when an escalation path holds nobody. */
  adminUserIds?: Iterable<string>;
  logger?: Logger;
  intervalMs?: number;
  /** Timers fired per transaction; a tick goes on until none is due. */
  batchSize?: number;
  /** Most batches in one tick, so a huge backlog never holds the loop for long. */
  maxBatches?: number;
  lateAfterMs?: number;
  /** What else fired notices owe, in their transaction (webhook events). */
  onNotices?: FireContext['onNotices'];
}

export interface Scheduler {
  /** Fire everything due now; returns what fired (skipped ones included). */
  tick(): Promise<FiredTimer[]>;
  /** An immediate catch-up tick, then one every `intervalMs`. */
  start(): Promise<FiredTimer[]>;
  stop(): Promise<void>;
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const logger = deps.logger ?? silentLogger;
  const batchSize = deps.batchSize ?? 1000;
  const maxBatches = deps.maxBatches ?? 20;
  const adminUserIds = [...(deps.adminUserIds ?? [])];
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<FiredTimer[]> | null = null;

  async function tickOnce(): Promise<FiredTimer[]> {
    const all: FiredTimer[] = [];
    for (let i = 0; i < maxBatches; i++) {
      const fired = await deps.store.transaction((repos) =>
        fireDueTimers(
          repos,
          {
            directory: deps.directory,
            adminUserIds,
            worker: deps.workerId,
            now: deps.clock(),
            lateAfterMs: deps.lateAfterMs ?? LATE_AFTER_MS,
            ...(deps.onNotices ? { onNotices: deps.onNotices } : {}),
          },
          batchSize,
        ),
      );
      all.push(...fired);
      if (fired.length < batchSize) break;
    }
    for (const f of all) {
      if (f.late && !f.skipped)
        logger.info('timer fired late', { run: f.runId, kind: f.kind, lateByMs: f.lateByMs });
    }
    return all;
  }

  /** One tick at a time in this process (an interval tick never overlaps a slow one). */
  function tick(): Promise<FiredTimer[]> {
    if (running) return running;
    running = tickOnce().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    tick,
    async start() {
      const first = await tick();
      if (!timer) {
        timer = setInterval(() => {
          tick().catch((err) =>
            logger.error('scheduler tick failed', { error: String((err as Error).message ?? err) }),
          );
        }, deps.intervalMs ?? TICK_INTERVAL_MS);
        timer.unref();
      }
      return first;
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
