// A real process started as an operator starts it (the bot, `npm start`, the CLI), its output
// read line by line; waits are on what it prints, never on the wall clock.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** tsx's loader, by absolute URL: a process started outside the checkout still finds it. */
export const TSX_LOADER = import.meta.resolve('tsx');

export interface Spawned {
  child: ChildProcess;
  /** Every line printed so far, stdout and stderr, in order. */
  readonly lines: string[];
  /** Resolves with the first line matching, printed before or after the call. */
  line(pattern: RegExp, what?: string): Promise<string>;
  /** Resolves when the process itself has exited (its children may still hold its output open). */
  readonly returned: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when the process has exited and its output is read, with its code (null when a signal ended it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; lineCount: number }>;
}

/**
 * Starts `command` with only the variables given (and PATH, HOME): nothing of the test's own
 * environment leaks into the configuration. `detached` makes it lead a process group.
 */
export function spawnProcess(
  command: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string>; detached?: boolean },
): Spawned {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (l: string) => void }[] = [];
  const take = (stream: NodeJS.ReadableStream) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const l of parts) {
        lines.push(l);
        for (const w of [...waiters]) {
          if (w.pattern.test(l)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(l);
          }
        }
      }
    });
  };
  take(child.stdout!);
  take(child.stderr!);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; lineCount: number }>(
    (resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, lineCount: lines.length }));
    },
  );
  const returned = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    lines,
    returned,
    exited,
    line(pattern, what = String(pattern)) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then(() =>
          reject(new Error(`exited before printing ${what}; it printed:\n${lines.join('\n')}`)),
        );
      });
    },
  };
}

/** Whether a process with this id is still running. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
