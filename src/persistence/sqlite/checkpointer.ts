// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
// crosses the threshold: it copies ~1000 pages back into the database file and fsyncs it, a
// 5–25 ms stall of the event loop every few dozen run starts (every request waits behind it).
// Here a worker thread with its own connection does it. A PASSIVE checkpoint every few
// milliseconds copies the pages without blocking anyone. Under a steady stream of writes it
// never catches up with the last frame, so the WAL would never be rewound and would grow: once
// it is long, the worker asks for a pause, the store holds its next write transaction back
// (asynchronously: acks go on, work after them waits a moment), and the worker runs a RESTART
// checkpoint on the few frames left, which rewinds the WAL. The writer keeps a far larger
// automatic threshold as a backstop should the worker fall behind or die. The worker (a thread
// and some 8 MB) starts once the WAL holds START_WAL_BYTES: a bot at rest writes next to nothing
// (its outbox and timer claims change no row and add no frame), and until then the WAL stays far
// below the backstop.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Backstop for the writer's own automatic checkpoint, in pages (SQLite's default is 1000). */
export const BACKSTOP_PAGES = 10_000;
const INTERVAL_MS = 20;
/** WAL length (frames) past which the worker asks to rewind it. */
const RESTART_FRAMES = 2000;
/** WAL size at which the worker starts (256 pages of 4 KiB). */
export const START_WAL_BYTES = 1 << 20;
/** Until then the WAL's size is looked at once every this many write transactions. */
export const START_CHECK_EVERY = 16;
/** The longest the store holds writes back for a rewind. */
const PAUSE_LIMIT_MS = 250;

// Plain CommonJS run by the worker (no TypeScript loader in a worker under every runner).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 100');
db.pragma('synchronous = NORMAL');
let asked = false;
const timer = setInterval(() => {
  if (asked) return;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r && r.log >= workerData.restartFrames) {
      asked = true;
      parentPort.postMessage('pause');
    }
  } catch {}
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'paused') {
    try { db.pragma('wal_checkpoint(RESTART)'); } catch {}
    asked = false;
    parentPort.postMessage('resume');
    return;
  }
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /**
   * Before a write transaction: null, or a promise to wait for while the worker rewinds the
   * WAL (it resolves in any case within PAUSE_LIMIT_MS).
   */
  beforeWrite(): Promise<void> | null;
  /** Whether the worker has been started (once the WAL held START_WAL_BYTES). */
  readonly started: boolean;
  close(): void;
}

/** Checkpoint the WAL of the database file at `path` in a worker thread, once writes come. */
export function startCheckpointer(path: string, intervalMs = INTERVAL_MS): Checkpointer {
  let worker: Worker | null = null;
  let writes = 0;
  let closed = false;
  let wanted = false;
  let resume: (() => void) | null = null;
  const resumeNow = () => {
    resume?.();
    resume = null;
  };
  const start = (): Worker => {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const started = new Worker(WORKER_SOURCE, {
      eval: true,
      // No loaders or profiler flags of the parent: the worker runs plain JavaScript.
      execArgv: [],
      workerData: { driver, path, intervalMs, restartFrames: RESTART_FRAMES },
    });
    // Never keeps the process alive; a failure leaves the backstop checkpoint in charge.
    started.unref();
    started.on('message', (m) => {
      if (m === 'pause') wanted = true;
      else if (m === 'resume') resumeNow();
    });
    started.on('error', () => {
      closed = true;
      resumeNow();
    });
    return started;
  };
  return {
    beforeWrite() {
      if (!worker && !closed && ++writes % START_CHECK_EVERY === 0 && walBytes(path) >= START_WAL_BYTES)
        worker = start();
      if (!wanted || closed) return null;
      wanted = false;
      return new Promise<void>((resolve) => {
        const limit = setTimeout(resumeNow, PAUSE_LIMIT_MS);
        resume = () => {
          clearTimeout(limit);
          resolve();
        };
        worker?.postMessage('paused');
      });
    },
    close() {
      if (closed) return;
      closed = true;
      resumeNow();
      worker?.postMessage('close');
    },
    get started() {
      return worker !== null;
    },
  };
}

function walBytes(path: string): number {
  return statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
}
