// An agent holding a role in ProjectLead runs, through the HTTP API alone (no Slack app).
//
// It learns of its steps either from `step.assigned` webhooks (verified with the Standard
// Webhooks receiver side) or by polling `GET /api/v1/me/steps`, does the step, and completes it
// with `POST /api/v1/runs/{id}/steps/{key}/complete`. Its "work" here is a stub that writes a
// fixed review from the step's context (the request, the expected output, the earlier outputs):
// put your LLM call or CI job in `doStep`.
//
//   PROJECTLEAD_URL=http://localhost:3000 PROJECTLEAD_TOKEN=pl_… node --import tsx examples/agent.ts
//   (add WEBHOOK_SECRET=whsec_… WEBHOOK_PORT=8787 to take webhooks instead of polling)
//
// Only the `standardwebhooks` package is needed besides Node 20.
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

/** What the API gives for a step waiting on the agent (see /api/v1/openapi.json, StepContext). */
export interface StepContext {
  run_id: string;
  chain: string;
  run_title: string;
  step_key: string;
  step_title: string;
  output: string | null;
  gate: { check: string; can_block: boolean; can_reject: boolean } | null;
  collects: string[];
  due_at: string | null;
  request: { text: string; requester: string };
  earlier_outputs: { step_key: string; step_title: string; output: string | null }[];
}

/** The agent's work on one step: what it hands back as the step's output. */
export function doStep(step: StepContext): { output: string } {
  const earlier = step.earlier_outputs
    .filter((o) => o.output)
    .map((o) => `${o.step_title}: ${o.output}`)
    .join('; ');
  const gate = step.gate ? ` Gate checked: ${step.gate.check}.` : '';
  return {
    output: `Automated review of "${step.run_title}" for ${step.step_title}: no blocking issue found.${gate}${earlier ? ` Based on: ${earlier}.` : ''}`,
  };
}

export function createAgent(opts: { baseUrl: string; token: string; log?: (line: string) => void }) {
  const log = opts.log ?? ((line: string) => console.log(line));
  const api = async (method: 'GET' | 'POST', path: string, body?: unknown, key?: string) => {
    const res = await fetch(`${opts.baseUrl.replace(/\/$/, '')}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${opts.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        // The same key on a retry: the step is completed once, whatever the network did.
        ...(key ? { 'idempotency-key': key } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the answer is read field by field
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };

  /** Do one step and complete it; a step someone else completed first (409) is left alone. */
  async function handle(step: StepContext): Promise<boolean> {
    const { output } = doStep(step);
    const path = `/runs/${encodeURIComponent(step.run_id)}/steps/${encodeURIComponent(step.step_key)}/complete`;
    const res = await api('POST', path, { output }, `${step.run_id}:${step.step_key}`);
    if (res.status === 200) log(`completed ${step.run_id} ${step.step_key}`);
    else log(`could not complete ${step.run_id} ${step.step_key}: ${res.status} ${res.json.error?.code}`);
    return res.status === 200;
  }

  return {
    handle,
    /** Ask for the steps waiting on the agent and do each; how many were completed. */
    async pollOnce(): Promise<number> {
      const res = await api('GET', '/me/steps');
      if (res.status !== 200) throw new Error(`GET /me/steps: ${res.status} ${JSON.stringify(res.json)}`);
      let done = 0;
      for (const step of res.json.steps as StepContext[]) if (await handle(step)) done++;
      return done;
    },
    /** A webhook delivery: verified, then a `step.assigned` for the agent is done. */
    async onWebhook(secret: string, body: string, headers: Record<string, string>): Promise<void> {
      const event = new Webhook(secret).verify(body, headers) as { type: string; data: StepContext };
      if (event.type === 'step.assigned') await handle(event.data);
    },
  };
}

async function main() {
  const baseUrl = process.env.PROJECTLEAD_URL ?? 'http://localhost:3000';
  const token = process.env.PROJECTLEAD_TOKEN;
  if (!token) throw new Error('Set PROJECTLEAD_TOKEN (projectlead tokens create <name> --as <SlackUserID>).');
  const agent = createAgent({ baseUrl, token });
  const secret = process.env.WEBHOOK_SECRET;
  if (secret) {
    const port = Number(process.env.WEBHOOK_PORT ?? 8787);
    createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        agent.onWebhook(secret, body, headers).then(
          () => res.writeHead(204).end(),
          (err: Error) => res.writeHead(400).end(err.message),
        );
      });
    }).listen(port, () =>
      console.log(`taking webhooks on :${port} (projectlead webhooks add http://<host>:${port}/ --as <you>)`),
    );
    return;
  }
  const every = Number(process.env.POLL_SECONDS ?? 30) * 1000;
  for (;;) {
    await agent.pollOnce().catch((err: Error) => console.error(err.message));
    await new Promise((r) => setTimeout(r, every));
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/examples\//, '/examples/'))) {
  main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
