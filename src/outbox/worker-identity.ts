// Who holds an outbox lease, and whether that holder is still alive. A sender's id names its
// machine (host name and PID namespace), its process and a random nonce. SQLite processes
// sharing a file share a machine, so a starting sender can tell which leases belong to processes
// that are gone (killed mid-send) and take their rows at once instead of waiting out the lease.
// It never takes a live worker's rows: a holder it cannot judge (another machine, an id in
// another format, a PID it may not signal) keeps its lease until the lease ends.
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** Senders created in this process: alive while it lives (a stopped one holds no lease). */
const liveHere = new Set<string>();

let machineKey: string | undefined;

/** The host name, and the PID namespace on Linux: two containers may share a host name, not both. */
function machine(): string {
  if (machineKey === undefined) {
    let namespace = '';
    try {
      namespace = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '';
    } catch {
      // Not Linux: the host name alone.
    }
    machineKey = `${hostname().replaceAll(':', '_')}${namespace ? `~${namespace}` : ''}`;
  }
  return machineKey;
}

/** `host~pidns:pid:nonce`, unique to one sender of one process. */
export function newWorkerId(): string {
  return `${machine()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** From now on, for as long as this process lives, the worker counts as alive. */
export function registerLiveWorker(id: string): void {
  liveHere.add(id);
}

interface ParsedId {
  machine: string;
  pid: number;
}

function parse(id: string): ParsedId | null {
  const m = /^(.+):(\d+):([0-9a-f]+)$/.exec(id);
  if (!m) return null;
  return { machine: m[1]!, pid: Number(m[2]) };
}

/**
 * True only when the worker surely is gone: it ran on this machine, and its process no longer
 * exists (or it was this process's and has stopped). Anything uncertain is alive.
 */
export function isGoneWorker(id: string, isProcessAlive: (pid: number) => boolean = processAlive): boolean {
  const p = parse(id);
  if (!p || p.machine !== machine()) return false;
  if (p.pid === process.pid) return !liveHere.has(id);
  return !isProcessAlive(p.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
