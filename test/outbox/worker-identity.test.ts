// Whether a lease holder is surely gone: only a sender of this machine whose process has exited
// (or, in this process, one that never registered); anything uncertain counts as alive.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isGoneWorker, newWorkerId, registerLiveWorker } from '../../src/outbox/worker-identity.ts';

describe('worker identity', () => {
  const here = newWorkerId();
  const machine = here.split(':').slice(0, -2).join(':');
  const alive = () => true;
  const exited = () => false;

  it('when an id is new, then it names this machine, this process and a nonce, and differs from the last', () => {
    expect(here).toMatch(
      new RegExp(`^${hostname().replaceAll(':', '_')}(~\\d+)?:${process.pid}:[0-9a-f]{8}$`),
    );
    expect(newWorkerId()).not.toBe(here);
  });

  it.each<[string, string, (pid: number) => boolean, boolean]>([
    ['another machine’s worker whose PID is free here', 'elsewhere:4242:abcd1234', exited, false],
    ['an id in another format', 'bot-4242-abc123', exited, false],
    ['a worker of this machine whose process exited', `${machine}:4242:abcd1234`, exited, true],
    ['a worker of this machine whose process runs', `${machine}:4242:abcd1234`, alive, false],
    [
      'an earlier process that had this PID (a restarted container)',
      `${machine}:${process.pid}:0badcafe`,
      alive,
      true,
    ],
  ])('when the holder is %s, then gone is %s', (_what, id, isProcessAlive, gone) => {
    expect(isGoneWorker(id, isProcessAlive)).toBe(gone);
  });

  it('when a sender of this process is registered, then it is alive until its process ends', () => {
    const id = newWorkerId();
    expect(isGoneWorker(id)).toBe(true);
    registerLiveWorker(id);
    expect(isGoneWorker(id)).toBe(false);
  });
});
