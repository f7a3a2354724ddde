// The MCP server end to end, with the official SDK's client: a whole Release run walked by tool
// calls over Streamable HTTP against the running app (the thread shows every step), the tools'
// input and output schemas, refusals as tool errors, and `projectlead mcp --token` over stdio.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LINKED_REVIEW_ROLES,
  MAJOR_RELEASE_LINKED_STEP,
  MAJOR_RELEASE_WALK,
  tokensFor,
  walkRun,
} from '../support/api-client.ts';
import {
  CHANNEL,
  type Harness,
  outboxSettled,
  postedRun,
  startHarness,
  threadOf,
  until,
  userFor,
} from '../support/app-harness.ts';
import { visibleText } from '../support/fake-slack.ts';

const u = userFor;
const RELEASE = MAJOR_RELEASE_WALK;
const REQUESTER = 'UMCPREQ';

let h: Harness;
let tokens: Record<string, string>;
const clients: Client[] = [];

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${h.app.port}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

type ToolResult = {
  isError?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: results are read field by field in tests
  structuredContent?: Record<string, any>;
  content: { type: string; text?: string }[];
};
const call = async (c: Client, name: string, args: Record<string, unknown>) =>
  (await c.callTool({ name, arguments: args })) as ToolResult;

beforeAll(async () => {
  h = await startHarness();
  const roles = [...new Set([...RELEASE.flatMap(([, r]) => r), ...LINKED_REVIEW_ROLES])];
  tokens = await tokensFor(h, {
    ...Object.fromEntries(roles.map((r) => [`mcp-${r.toLowerCase()}`, u(r)])),
    'mcp-requester': REQUESTER,
  });
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await h.close();
});

describe('the MCP server at /mcp', () => {
  it('lists the tools with input and output JSON Schemas; facts carry their valid values', async () => {
    const client = await connect(tokens[REQUESTER]!);
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of [
      'list_my_steps',
      'get_run',
      'start_request',
      'complete_step',
      'block_step',
      'classify_request',
    ])
      expect(names).toContain(name);
    for (const t of tools) {
      expect(t.inputSchema.type, t.name).toBe('object');
      expect(t.outputSchema?.type, t.name).toBe('object');
    }
    const complete = tools.find((t) => t.name === 'complete_step')!;
    expect(JSON.stringify(complete.inputSchema)).toContain('"major"');
  });

  it('walks a whole Release run by tool calls; the thread shows every step', async () => {
    const requester = await connect(tokens[REQUESTER]!);
    const started = await call(requester, 'start_request', {
      text: 'Ship release v7 with the mobile onboarding',
      chain: 'release',
      channel: CHANNEL,
    });
    expect(started.isError).toBeFalsy();
    const runId: string = started.structuredContent!.run.id;
    const agents = new Map<string, Client>();
    for (const [key, roles] of RELEASE) {
      if (key === MAJOR_RELEASE_LINKED_STEP) {
        // The audit runs as a linked Compliance Review, walked by its owners' tool calls.
        const parent = await call(requester, 'get_run', { run_id: runId });
        const link = parent.structuredContent!.run.links.find(
          (l: { relation: string }) => l.relation === 'step',
        );
        expect(link).toMatchObject({ chain: 'compliance', step: key });
        const byUser = new Map<string, Client>();
        const review = await walkRun(link.runId, {
          get: async (id) => (await call(requester, 'get_run', { run_id: id })).structuredContent!.run,
          complete: async (user, id, step) => {
            const client = byUser.get(user) ?? (await connect(tokens[user]!));
            byUser.set(user, client);
            const done = await call(client, 'complete_step', {
              run_id: id,
              step_key: step,
              output: `${step} (MCP)`,
            });
            expect(done.isError, `${user} completes ${step}: ${done.content[0]?.text}`).toBeFalsy();
          },
        });
        expect(review.status).toBe('done');
        continue;
      }
      for (const role of roles) {
        const client = agents.get(role) ?? (await connect(tokens[u(role)]!));
        agents.set(role, client);
        const mine = await call(client, 'list_my_steps', {});
        const step = mine.structuredContent!.steps.find((s: { run_id: string }) => s.run_id === runId);
        expect(step, `${role} sees ${key}`).toMatchObject({ step_key: key, chain: 'release' });
        const done = await call(client, 'complete_step', {
          run_id: runId,
          step_key: key,
          output: `${key} by ${role} (MCP)`,
          ...(key === 'release_decision' ? { facts: { release_type: 'major' } } : {}),
        });
        expect(done.isError, `${role} completes ${key}: ${done.content[0]?.text}`).toBeFalsy();
      }
    }
    const run = await call(requester, 'get_run', { run_id: runId });
    expect(run.structuredContent!.run.status).toBe('done');
    await outboxSettled(h);
    const posted = await postedRun(h, runId);
    const thread = threadOf(h, posted)
      .map((m) => visibleText(m))
      .join('\n');
    for (const step of posted.steps) expect(thread, step.key).toContain(step.title);
    expect(thread).toContain('via API token “mcp-atlas”');
  });

  it("answers a refusal as a tool error with the catalog's code; 401 without a token", async () => {
    const requester = await connect(tokens[REQUESTER]!);
    const started = await call(requester, 'start_request', {
      text: 'Ship release v8 with search',
      chain: 'release',
      channel: CHANNEL,
    });
    const runId = started.structuredContent!.run.id;
    const scribe = await connect(tokens[u('Scribe')]!);
    const refused = await call(scribe, 'block_step', {
      run_id: runId,
      step_key: 'release_decision',
      reason: 'not mine',
    });
    expect(refused.isError).toBe(true);
    expect(JSON.parse(refused.content[0]!.text!)).toMatchObject({ error: { code: 'not_owner' } });
    const res = await fetch(`http://127.0.0.1:${h.app.port}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
  });

  it('lists the open runs of one channel, newest first, at most `limit`; a channel name or a reassignee that is no ID is a tool error', async () => {
    const requester = await connect(tokens[REQUESTER]!);
    const channel = 'CMCPLIST';
    for (const text of ['Ship release v9.1 with imports', 'Ship release v9.2 with exports'])
      expect(
        (await call(requester, 'start_request', { text, chain: 'release', channel })).isError,
      ).toBeFalsy();
    const listed = await call(requester, 'list_runs', { channel_id: channel, limit: 1 });
    expect(listed.structuredContent!.runs.map((r: { title: string }) => r.title)).toEqual([
      'Ship release v9.2 with exports',
    ]);
    const byName = await call(requester, 'list_runs', { channel_id: '#releases' });
    expect(byName.isError).toBe(true);
    const started = await call(requester, 'start_request', {
      text: 'Ship release v9.3 with charts',
      chain: 'release',
      channel: '#releases',
    });
    expect(started.isError).toBe(true);
    expect(JSON.parse(started.content[0]!.text!)).toMatchObject({ error: { code: 'bad_channel' } });
    const runId = listed.structuredContent!.runs[0].id;
    const atlas = await connect(tokens[u('Atlas')]!);
    const reassigned = await call(atlas, 'reassign_step', {
      run_id: runId,
      step_key: 'release_decision',
      to: ['release team'],
    });
    expect(reassigned.isError).toBe(true);
    expect(JSON.parse(reassigned.content[0]!.text!)).toMatchObject({ error: { code: 'bad_member' } });
    expect((await h.core.store.read.runs.get(runId))!.steps[0]!.assignees).toEqual({ Atlas: [u('Atlas')] });
  });
});

describe('projectlead mcp --token (stdio)', () => {
  it('serves the same tools as a local process, acting as the token on the bot database', async () => {
    const requester = await connect(tokens[REQUESTER]!);
    const started = await call(requester, 'start_request', {
      text: 'Ship release v10 with exports',
      chain: 'release',
      channel: CHANNEL,
    });
    const runId = started.structuredContent!.run.id;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['bin/projectlead.mjs', 'mcp', '--token', tokens[u('Atlas')]!],
      env: { ...(process.env as Record<string, string>), DATABASE_URL: h.dbPath, ADMIN_USER_IDS: 'UADMIN' },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'local-agent', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    const mine = await call(client, 'list_my_steps', {});
    expect(mine.structuredContent!.steps.map((s: { run_id: string }) => s.run_id)).toContain(runId);
    const done = await call(client, 'complete_step', {
      run_id: runId,
      step_key: 'release_decision',
      output: 'minor, from stdio',
      facts: { release_type: 'minor' },
    });
    expect(done.isError, done.content[0]?.text).toBeFalsy();
    expect(done.structuredContent!.run.steps[1].status).toBe('active');
    // The running bot posts what the local process changed. That process runs on real time, the
    // app on the harness clock (a fixed date): the app's clock catches up, or the row is not due.
    h.clock.advance(Math.max(0, Date.now() - h.clock.now()) + 1000);
    await until(async () => {
      const run = await h.core.runs.getRun(runId);
      return threadOf(h, run).some((m) => visibleText(m).includes('via API token “mcp-atlas”'));
    }, 'the stdio completion in the thread');
  });
});
