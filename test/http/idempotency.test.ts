// Idempotency-Key: the first request with a key acts, the same key again gets its answer; two at
// once act once (the second hears 409); a key left unanswered by a dead process frees up after a
// minute; a server error is not kept; a key is its token's.
import { afterEach, describe, expect, it } from 'vitest';
import { createIdempotency } from '../../src/http/api/idempotency.ts';
import { createTestEngine, type TestEngine } from '../support/engine.ts';

let engine: TestEngine;
afterEach(() => engine.close());
const req = { method: 'POST', path: '/requests', body: '{"text":"x"}' };

describe('Idempotency-Key', () => {
  it('when a key is sent twice, then the request acts once and both get its answer', async () => {
    engine = await createTestEngine();
    const once = createIdempotency({ store: engine.store, clock: engine.clock.now });
    let acted = 0;
    const act = async () => ({ status: 201, body: { n: ++acted } });
    expect(await once.once(1, 'k', req, act)).toEqual({ status: 201, body: { n: 1 } });
    expect(await once.once(1, 'k', req, act)).toMatchObject({
      status: 201,
      body: { n: 1 },
      headers: { 'idempotent-replayed': 'true' },
    });
    expect(await once.once(2, 'k', req, act)).toEqual({ status: 201, body: { n: 2 } });
    expect((await once.once(1, 'k', { ...req, body: '{}' }, act)).status).toBe(422);
    expect(acted).toBe(2);
  });

  it('when two requests with one key race, then one acts and the other hears 409', async () => {
    engine = await createTestEngine();
    const once = createIdempotency({ store: engine.store, clock: engine.clock.now });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let acted = 0;
    const slow = async () => {
      acted++;
      await gate;
      return { status: 200, body: { ok: true } };
    };
    const first = once.once(1, 'race', req, slow);
    await new Promise((r) => setTimeout(r, 20));
    const second = await once.once(1, 'race', req, slow);
    expect(second.status).toBe(409);
    release();
    expect((await first).status).toBe(200);
    expect(acted).toBe(1);
  });

  it('when a key was left unanswered over a minute ago, or its request failed with 5xx, then it may be used again', async () => {
    engine = await createTestEngine();
    const once = createIdempotency({ store: engine.store, clock: engine.clock.now });
    // A request that never answers: as if its process died mid-request.
    void once.once(1, 'dead', req, () => new Promise(() => {}));
    await new Promise((r) => setTimeout(r, 20));
    const act = async () => ({ status: 200, body: { ok: true } });
    expect((await once.once(1, 'dead', req, act)).status).toBe(409);
    engine.clock.advance(61_000);
    expect((await once.once(1, 'dead', req, act)).status).toBe(200);
    let tries = 0;
    const flaky = async () => (++tries === 1 ? { status: 503, body: {} } : { status: 200, body: { tries } });
    expect((await once.once(1, 'flaky', req, flaky)).status).toBe(503);
    expect(await once.once(1, 'flaky', req, flaky)).toEqual({ status: 200, body: { tries: 2 } });
  });
});
