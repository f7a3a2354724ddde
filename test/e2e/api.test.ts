// The HTTP API end to end: a whole Release run walked by tokens through /api/v1 alone, against
// the real app and the fake Slack; the thread shows every step and the token that acted; the
// errors an agent meets (401, 403, 404, 409, 400 with the valid values), Idempotency-Key, and
// the per-token rate limit.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  LINKED_REVIEW_ROLES,
  MAJOR_RELEASE_LINKED_STEP,
  MAJOR_RELEASE_WALK,
  tokensFor,
  walkRun,
} from '../support/api-client.ts';
import {
  ADMIN,
  CHANNEL,
  type Harness,
  outboxSettled,
  postedRun,
  startHarness,
  threadOf,
  userFor,
} from '../support/app-harness.ts';
import { visibleText } from '../support/fake-slack.ts';

const u = userFor;
const RELEASE = MAJOR_RELEASE_WALK;
const ROLES = [...new Set(['Requester', ...RELEASE.flatMap(([, roles]) => roles), ...LINKED_REVIEW_ROLES])];

let h: Harness;
let tokens: Record<string, string>;
const REQUESTER = 'UREQUESTER';

beforeAll(async () => {
  h = await startHarness();
  tokens = await tokensFor(h, {
    ...Object.fromEntries(
      ROLES.filter((r) => r !== 'Requester').map((r) => [`agent-${r.toLowerCase()}`, u(r)]),
    ),
    'release-requester': REQUESTER,
    'ops-admin': ADMIN,
  });
});
afterAll(() => h.close());

describe('the HTTP API', () => {
  it('walks a whole Release run by tokens alone; the thread shows every step and the token that acted', async () => {
    const started = await api(h, tokens[REQUESTER]!, 'POST', '/requests', {
      text: 'Ship release v3.0 with the new billing page',
      chain: 'release',
      channel: CHANNEL,
    });
    expect(started.status).toBe(201);
    const runId: string = started.json.run.id;
    expect(runId).toMatch(/^REL-\d+$/);
    expect(started.json.run.steps[0]).toMatchObject({ key: 'release_decision', status: 'active' });

    for (const [key, roles] of RELEASE) {
      if (key === MAJOR_RELEASE_LINKED_STEP) {
        // A major release's audit runs as a linked Compliance Review: its owners walk that run
        // through the API too, and the release's step is done when the review is.
        const parent = await api(h, tokens[REQUESTER]!, 'GET', `/runs/${runId}`);
        const link = parent.json.run.links.find((l: { relation: string }) => l.relation === 'step');
        expect(link).toMatchObject({ chain: 'compliance', step: key, status: 'active' });
        const review = await walkRun(link.runId, {
          get: async (id) => (await api(h, tokens[REQUESTER]!, 'GET', `/runs/${id}`)).json.run,
          complete: async (user, id, step) => {
            const res = await api(h, tokens[user]!, 'POST', `/runs/${id}/steps/${step}/complete`, {
              output: `${step} by ${user}`,
            });
            expect(res.status, `${user} completes ${step}: ${JSON.stringify(res.json)}`).toBe(200);
          },
        });
        expect(review.status).toBe('done');
        continue;
      }
      for (const role of roles) {
        const token = tokens[u(role)]!;
        // The agent finds its step and everything it needs in /me/steps.
        const mine = await api(h, token, 'GET', '/me/steps');
        expect(mine.status).toBe(200);
        const item = mine.json.steps.find((s: { run_id: string }) => s.run_id === runId);
        expect(item, `${role} sees ${key}`).toMatchObject({ run_id: runId, chain: 'release', step_key: key });
        expect(item.request.text).toContain('Ship release v3.0');
        if (key === 'go_no_go')
          expect(item.earlier_outputs.map((o: { step_key: string }) => o.step_key)).toContain(
            'staging_deploy',
          );
        const done = await api(
          h,
          token,
          'POST',
          `/runs/${runId}/steps/${key}/complete`,
          {
            output: `${key} by ${role}`,
            ...(key === 'release_decision' ? { facts: { release_type: 'major' } } : {}),
          },
          { 'idempotency-key': `${runId}-${key}-${role}` },
        );
        expect(done.status, `${role} completes ${key}: ${JSON.stringify(done.json)}`).toBe(200);
      }
    }
    const final = await api(h, tokens[REQUESTER]!, 'GET', `/runs/${runId}`);
    expect(final.status).toBe(200);
    expect(final.json.run.status).toBe('done');
    expect(final.json.run.releaseType).toBe('major');
    expect(final.json.run.steps.every((s: { status: string }) => s.status === 'done')).toBe(true);
    // The events log names the token each action came through.
    // (The Pre-Release Audit was completed by the bot when its review was done.)
    const completions = final.json.run.events.filter(
      (e: { type: string; actor: string }) =>
        (e.type === 'step_delivered' || e.type === 'step_completed') && e.actor !== 'system',
    );
    expect(completions.length).toBeGreaterThan(0);
    expect(completions.every((e: { data: { token?: string } }) => typeof e.data.token === 'string')).toBe(
      true,
    );
    expect(completions.map((e: { data: { token: string } }) => e.data.token)).toContain('agent-atlas');

    // The thread shows every step's handoff and says which token acted.
    await outboxSettled(h);
    const run = await postedRun(h, runId);
    const thread = threadOf(h, run)
      .map((m) => visibleText(m))
      .join('\n');
    for (const [key] of RELEASE) {
      const title = run.steps.find((s) => s.key === key)!.title;
      expect(thread, key).toContain(title);
    }
    expect(thread).toContain('via API token “agent-atlas”');
    expect(thread).toContain('via API token “release-requester”');
  });

  it('answers 401 for a missing or bad token, 403 for a non-owner, 404 for an unknown run, 409 for a step already completed', async () => {
    const started = await api(h, tokens[REQUESTER]!, 'POST', '/requests', {
      text: 'Ship release v3.1 with the invoices export',
      chain: 'release',
      channel: CHANNEL,
    });
    const runId: string = started.json.run.id;
    expect((await api(h, null, 'GET', '/me/steps')).status).toBe(401);
    const bad = await api(h, 'pl_not-a-token', 'GET', `/runs/${runId}`);
    expect(bad.status).toBe(401);
    expect(bad.json.error.code).toBe('unauthorized');

    const refused = await api(
      h,
      tokens[u('Scribe')]!,
      'POST',
      `/runs/${runId}/steps/release_decision/complete`,
      {
        output: 'not mine',
      },
    );
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({ code: 'not_owner' });
    const refusal = (await h.core.runs.events(runId)).find((e) => e.type === 'refused');
    expect(refusal).toMatchObject({ actor: u('Scribe'), data: { code: 'not_owner', token: 'agent-scribe' } });

    expect((await api(h, tokens[u('Atlas')]!, 'GET', '/runs/REL-999')).status).toBe(404);
    expect((await api(h, tokens[u('Atlas')]!, 'GET', '/nothing/here')).json.error.code).toBe('not_found');

    const first = await api(
      h,
      tokens[u('Atlas')]!,
      'POST',
      `/runs/${runId}/steps/release_decision/complete`,
      {
        output: 'minor',
        facts: { release_type: 'minor' },
      },
    );
    expect(first.status).toBe(200);
    const again = await api(
      h,
      tokens[u('Atlas')]!,
      'POST',
      `/runs/${runId}/steps/release_decision/complete`,
      {
        output: 'again',
      },
    );
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('step_not_active');
  });

  it('validates facts with the verb schema: the error names the valid values, and nothing changes', async () => {
    const started = await api(h, tokens[REQUESTER]!, 'POST', '/requests', {
      text: 'Ship release v3.2 with the reports page',
      chain: 'release',
      channel: CHANNEL,
    });
    const runId: string = started.json.run.id;
    const res = await api(h, tokens[u('Atlas')]!, 'POST', `/runs/${runId}/steps/release_decision/complete`, {
      output: 'huge',
      facts: { release_type: 'gigantic' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('bad_input');
    expect(res.json.error.message).toContain('facts.release_type');
    expect(res.json.error.message).toMatch(/major/);
    const run = await api(h, tokens[u('Atlas')]!, 'GET', `/runs/${runId}`);
    expect(run.json.run.steps[0].status).toBe('active');
    expect(
      (await api(h, tokens[u('Atlas')]!, 'POST', `/runs/${runId}/steps/release_decision/complete`, '{oops'))
        .json.error.code,
    ).toBe('bad_json');
  });

  it('answers 400 for a channel name or a reassignee that is not a Slack ID, 404 for a step the run lacks, 413 in JSON for a body too large; none changes anything', async () => {
    const runsBefore = (await h.core.store.read.runs.list()).length;
    const byName = await api(h, tokens[REQUESTER]!, 'POST', '/requests', {
      text: 'Ship release v3.3 with the audit log',
      chain: 'release',
      channel: '#releases',
    });
    expect(byName.status).toBe(400);
    expect(byName.json.error).toMatchObject({ code: 'bad_channel' });
    expect(byName.json.error.message).toContain('"#releases"');
    expect(await h.core.store.read.runs.list()).toHaveLength(runsBefore);

    const started = await api(h, tokens[REQUESTER]!, 'POST', '/requests', {
      text: 'Ship release v3.3 with the audit log',
      chain: 'release',
      channel: CHANNEL,
    });
    const runId: string = started.json.run.id;
    const before = (await h.core.store.read.runs.get(runId))!;
    const eventsBefore = (await h.core.runs.events(runId)).length;

    const reassigned = await api(
      h,
      tokens[ADMIN]!,
      'POST',
      `/runs/${runId}/steps/release_decision/reassign`,
      {
        to: ['UATLAS2', 'the-release-team'],
      },
    );
    expect(reassigned.status).toBe(400);
    expect(reassigned.json.error).toMatchObject({ code: 'bad_member' });
    expect(reassigned.json.error.message).toContain('"the-release-team"');

    const missing = await api(h, tokens[u('Atlas')]!, 'POST', `/runs/${runId}/steps/no_such/complete`, {
      output: 'x',
    });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'no_such_step' });

    const large = await api(
      h,
      tokens[u('Atlas')]!,
      'POST',
      `/runs/${runId}/steps/release_decision/complete`,
      {
        output: 'x'.repeat(2 * 1024 * 1024),
      },
    );
    expect(large.status).toBe(413);
    expect(large.headers.get('content-type')).toMatch(/^application\/json/);
    expect(large.json.error.code).toBe('body_too_large');

    const after = (await h.core.store.read.runs.get(runId))!;
    expect(after.version).toBe(before.version);
    expect(after.steps[0]).toMatchObject({ status: 'active', assignees: before.steps[0]!.assignees });
    // The step the run lacks is a refusal, and recorded as one; nothing else was.
    const added = (await h.core.runs.events(runId)).slice(eventsBefore);
    expect(added.map((e) => [e.type, e.data.code])).toEqual([['refused', 'no_such_step']]);
  });

  it('lists the open runs newest first, of one channel or all, at most `limit`; a bad or unknown query parameter answers 400', async () => {
    const token = tokens[u('Atlas')]!;
    const other = 'CRELEASES2';
    for (const [text, channel] of [
      ['Ship release v7.0 with exports', CHANNEL],
      ['Ship release v7.1 with imports', other],
      ['Ship release v7.2 with search', other],
    ] as const)
      expect(
        (await api(h, tokens[REQUESTER]!, 'POST', '/requests', { text, chain: 'release', channel })).status,
      ).toBe(201);
    const all = await api(h, token, 'GET', '/runs');
    expect(all.status).toBe(200);
    const open = (await h.core.store.read.runs.list()).filter((r) => r.status === 'active');
    expect(all.json.runs).toHaveLength(open.length);
    const inOther = await api(h, token, 'GET', `/runs?channel=${other}`);
    expect(inOther.json.runs.map((r: { title: string }) => r.title)).toEqual([
      'Ship release v7.2 with search',
      'Ship release v7.1 with imports',
    ]);
    const one = await api(h, token, 'GET', `/runs?channel=${other}&limit=1`);
    expect(one.json.runs.map((r: { title: string }) => r.title)).toEqual(['Ship release v7.2 with search']);
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=many', 'limit'],
      ['channel=%23releases', 'channel'],
      ['status=active', 'status'],
    ]) {
      const bad = await api(h, token, 'GET', `/runs?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.json.error.code).toBe('bad_input');
      expect(bad.json.error.message, query).toContain(field);
    }
  });

  it('acts once for a repeated Idempotency-Key, with the same answer; a key reused for another request is refused', async () => {
    const key = 'start-v4';
    const body = { text: 'Ship release v4.0 with dark mode', chain: 'release', channel: CHANNEL };
    const first = await api(h, tokens[REQUESTER]!, 'POST', '/requests', body, { 'idempotency-key': key });
    const second = await api(h, tokens[REQUESTER]!, 'POST', '/requests', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json.run.id).toBe(first.json.run.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const runs = await h.core.store.read.runs.list();
    expect(runs.filter((r) => r.title.includes('v4.0'))).toHaveLength(1);
    const other = await api(
      h,
      tokens[REQUESTER]!,
      'POST',
      '/requests',
      { ...body, text: 'Ship release v5' },
      {
        'idempotency-key': key,
      },
    );
    expect(other.status).toBe(422);
    expect(other.json.error.code).toBe('idempotency_key_reused');
  });

  it('acts once for a repeated Idempotency-Key even when the first answer was never kept (the bot stopped between acting and keeping it)', async () => {
    const requester = tokens[REQUESTER]!;
    const atlas = tokens[u('Atlas')]!;
    const tokenIds = new Map((await h.core.store.read.apiTokens.list()).map((t) => [t.userId, t.id]));
    /** What a process leaves when it dies after its action committed: the key claimed, unanswered, a minute ago. */
    async function answerLost(userId: string, key: string, path: string, body: unknown) {
      const tokenId = tokenIds.get(userId)!;
      const fingerprint = createHash('sha256')
        .update(`POST ${path}\n${JSON.stringify(body)}`)
        .digest('hex');
      await h.core.store.transaction(async (r) => {
        await r.apiRequests.release(tokenId, key);
        expect(await r.apiRequests.claim(tokenId, key, fingerprint, h.clock.now() - 61_000)).toBeNull();
      });
    }
    const start = { text: 'Ship release v6.0 with offline mode', chain: 'release', channel: CHANNEL };
    const started = await api(h, requester, 'POST', '/requests', start, { 'idempotency-key': 'start-v6' });
    expect(started.status).toBe(201);
    const runId: string = started.json.run.id;
    await answerLost(REQUESTER, 'start-v6', '/requests', start);
    const again = await api(h, requester, 'POST', '/requests', start, { 'idempotency-key': 'start-v6' });
    // The run it started, found by the key: one run.
    expect(again.status).toBe(200);
    expect(again.json.run.id).toBe(runId);
    expect((await h.core.store.read.runs.list()).filter((r) => r.title.includes('v6.0'))).toHaveLength(1);

    const path = `/runs/${runId}/steps/release_decision/block`;
    const block = { reason: 'waiting for the pricing sign-off' };
    const blocked = await api(h, atlas, 'POST', path, block, { 'idempotency-key': 'block-v6' });
    expect(blocked.status).toBe(200);
    const before = await h.core.store.read.runs.get(runId);
    const log = await h.core.store.read.events.forRun(runId);
    await answerLost(u('Atlas'), 'block-v6', path, block);
    const repeated = await api(h, atlas, 'POST', path, block, { 'idempotency-key': 'block-v6' });
    // Not blocked twice: the run as the action left it, said to be a replay.
    expect(repeated.status).toBe(200);
    expect(repeated.headers.get('idempotent-replayed')).toBe('true');
    expect(repeated.json.run.id).toBe(runId);
    expect((await h.core.store.read.runs.get(runId))!.version).toBe(before!.version);
    expect(await h.core.store.read.events.forRun(runId)).toEqual(log);
    // And that answer is kept now: the next repeat gets it too.
    const third = await api(h, atlas, 'POST', path, block, { 'idempotency-key': 'block-v6' });
    expect(third.json).toEqual(repeated.json);
  });

  it('refuses an alerts token everywhere but alert intake', async () => {
    const { token } = await h.core.tokens.create('grafana', { kind: 'alerts' });
    const res = await api(h, token, 'GET', '/me/steps');
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('token_alerts_only');
  });

  it('stops working once revoked', async () => {
    const { token } = await h.core.tokens.create('short-lived', { kind: 'user', userId: u('Atlas') });
    expect((await api(h, token, 'GET', '/me/steps')).status).toBe(200);
    await h.core.tokens.revoke('short-lived');
    expect((await api(h, token, 'GET', '/me/steps')).status).toBe(401);
  });
});

describe('the per-token rate limit', () => {
  let limited: Harness;
  beforeAll(async () => {
    limited = await startHarness({ env: { API_RATE_LIMIT: '3' } });
  });
  afterAll(() => limited.close());

  it('answers 429 with Retry-After once a token is over its limit; other tokens go on', async () => {
    const { token } = await limited.core.tokens.create('busy', { kind: 'user', userId: u('Atlas') });
    const { token: calm } = await limited.core.tokens.create('calm', { kind: 'user', userId: u('Scribe') });
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof api>> | null = null;
    for (let i = 0; i < 4; i++) {
      last = await api(limited, token, 'GET', '/me/steps');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.json.error.code).toBe('rate_limited');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await api(limited, calm, 'GET', '/me/steps')).status).toBe(200);
    limited.clock.advance(60_000);
    expect((await api(limited, token, 'GET', '/me/steps')).status).toBe(200);
  });
});

describe('linked runs through the API', () => {
  it('refuses to cancel an incident waiting on its Bug Fix until told what becomes of it; opens follow-ups once', async () => {
    const started = await api(h, tokens[REQUESTER]!, 'POST', '/requests', {
      text: 'Search API returns 503 for every query',
      chain: 'incident',
      channel: CHANNEL,
    });
    const runId: string = started.json.run.id;
    // Its owners walk it to Permanent Fix, which starts a linked Bug Fix.
    for (let guard = 0; guard < 20; guard++) {
      const run = await h.core.runs.getRun(runId);
      const step = run.steps.find((s) => s.status === 'active')!;
      if (step.key === 'permanent_fix') break;
      for (const role of step.owners)
        await h.core.runs.completeStep(runId, await h.as(u(role)), {
          stepKey: step.key,
          output: 'ok',
          role,
          ...(step.key === 'assess_severity' ? { facts: { severity: 'sev2' } } : {}),
        });
    }
    const view = await api(h, tokens[REQUESTER]!, 'GET', `/runs/${runId}`);
    const link = view.json.run.links[0];
    expect(link).toMatchObject({ relation: 'step', chain: 'bug', step: 'permanent_fix', status: 'active' });

    const refused = await api(h, tokens[REQUESTER]!, 'POST', `/runs/${runId}/cancel`, {
      reason: 'duplicate',
    });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('linked_runs_open');
    const bad = await api(h, tokens[REQUESTER]!, 'POST', `/runs/${runId}/cancel`, { linked: 'maybe' });
    expect(bad.status).toBe(400);

    const follow = await api(h, tokens[u('Atlas')]!, 'POST', `/runs/${runId}/follow-ups`, {
      chain: 'feature',
      title: 'Alert on search latency before users notice',
    });
    expect(follow.status).toBe(201);
    expect(follow.json.run).toMatchObject({ chain: 'feature', links: [{ relation: 'follow_up_of', runId }] });
    const again = await api(h, tokens[u('Atlas')]!, 'POST', `/runs/${runId}/follow-ups`, {
      chain: 'feature',
      title: 'Alert on search latency before users notice',
    });
    expect(again.status).toBe(200);
    expect(again.json.run.id).toBe(follow.json.run.id);

    const cancelled = await api(h, tokens[REQUESTER]!, 'POST', `/runs/${runId}/cancel`, {
      reason: 'duplicate',
      linked: 'cancel',
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.run.status).toBe('cancelled');
    expect((await h.core.runs.getRun(link.runId)).status).toBe('cancelled');
    // A follow-up is not waited on: it goes on.
    expect((await h.core.runs.getRun(follow.json.run.id)).status).toBe('active');
  });
});
