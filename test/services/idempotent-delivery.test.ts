// A Slack delivery repeated (a retry, two processes, a restart between them) never starts a
// second run nor asks twice: its keys are claimed first, inside the transaction that acts.
import { afterEach, describe, expect, it } from 'vitest';
import { createRequestService } from '../../src/services/request-service.ts';
import { createTestEngine, type TestEngine, tempDbPath } from '../support/engine.ts';

let engines: TestEngine[] = [];
afterEach(async () => {
  for (const e of engines) await e.close();
  engines = [];
});

async function engine(path?: string) {
  const e = await createTestEngine({ path });
  engines.push(e);
  return e;
}

const request = (keys: string[]) => ({
  chain: 'bug',
  title: 'Checkout crashes',
  text: 'Checkout crashes on submit',
  requester: 'UREQ',
  channelId: 'C1',
  idempotencyKeys: keys,
});

describe('repeated deliveries', () => {
  it('when the same delivery comes again after a restart, then the first run is answered and none starts', async () => {
    const path = tempDbPath('idempotent');
    const before = await engine(path);
    const first = await before.runs.startRun(request(['event:Ev1', 'msg:C1:1.0001']));
    await before.close();
    engines = [];
    const after = await engine(path);
    const again = await after.runs.startRun(request(['event:Ev2', 'msg:C1:1.0001']));
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, run: { id: first.run.id } });
    // The retry's new event id now leads to the same run.
    expect(await after.runs.startRun(request(['event:Ev2']))).toMatchObject({
      created: false,
      run: { id: first.run.id },
    });
    expect(await after.store.read.runs.count()).toBe(1);
  });

  it('when two processes take the same delivery at once, then one run starts and both answer with it', async () => {
    const path = tempDbPath('idempotent-race');
    const [a, b] = [await engine(path), await engine(path)];
    const results = await Promise.all(
      [a, b, a, b].map((e) => e.runs.startRun(request(['event:EvRACE', 'msg:C1:2.0001']))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.run.id)).size).toBe(1);
    expect(await a.store.read.runs.count()).toBe(1);
  });

  it('when a delivery that led to a question comes again, then it is a duplicate and nothing more is asked', async () => {
    const e = await engine();
    const requests = createRequestService({
      store: e.store,
      runs: e.runs,
      directory: e.directory,
      clock: e.clock.now,
    });
    const submit = () =>
      requests.submit({
        text: 'Critical: checkout broken for some users',
        requester: 'UREQ',
        channelId: 'C1',
        source: 'slash',
        idempotencyKeys: ['event:EvASK'],
      });
    const outcomes = await Promise.all([submit(), submit()]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['ask', 'duplicate']);
    expect((await submit()).kind).toBe('duplicate');
    expect(await e.store.read.runs.count()).toBe(0);
  });
});
