// The example agent (examples/agent.ts) against the running app: by polling /me/steps it does
// Atlas's step; by webhooks (verified) it does a Tier 2 lead's part of the next one.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../examples/agent.ts';
import { api, tokensFor } from '../support/api-client.ts';
import { CHANNEL, type Harness, startHarness, until, userFor } from '../support/app-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('the example agent', () => {
  it('completes the steps waiting on it, found by polling or told by a step.assigned webhook', async () => {
    const t = await tokensFor(h, {
      req: 'UAGENTREQ',
      atlas: userFor('Atlas'),
      frontend: userFor('FrontendLead'),
    });
    const started = await api(h, t.UAGENTREQ!, 'POST', '/requests', {
      text: 'Ship release v20 with the referral page',
      chain: 'release',
      channel: CHANNEL,
    });
    const runId = started.json.run.id as string;
    const base = `http://127.0.0.1:${h.app.port}`;
    const lines: string[] = [];

    // Polling: Atlas's agent finds release_decision in /me/steps and completes it.
    const atlas = createAgent({ baseUrl: base, token: t[userFor('Atlas')]!, log: (l) => lines.push(l) });
    // A webhook receiver for the frontend lead's agent, subscribed before the handoff.
    const frontend = createAgent({
      baseUrl: base,
      token: t[userFor('FrontendLead')]!,
      log: (l) => lines.push(l),
    });
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        frontend.onWebhook(sub.secret, body, headers).then(
          () => res.writeHead(204).end(),
          () => res.writeHead(400).end(),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const sub = await h.core.webhooks.add({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      userId: userFor('FrontendLead'),
    });
    try {
      expect(await atlas.pollOnce()).toBe(1);
      await until(async () => {
        const run = await h.core.runs.getRun(runId);
        const freeze = run.steps.find((s) => s.key === 'code_freeze')!;
        return freeze.deliveries.FrontendLead ? freeze : null;
      }, "the frontend lead's part of code_freeze, done by the agent");
      await until(async () => lines.length >= 2, "the agent's answer");
      const run = await h.core.runs.getRun(runId);
      expect(run.steps[0]!.output).toContain('Automated review');
      expect(run.steps[1]!.deliveries.FrontendLead?.output).toContain('Based on: Release Decision');
      expect(lines).toEqual([`completed ${runId} release_decision`, `completed ${runId} code_freeze`]);
    } finally {
      server.close();
    }
  });
});
