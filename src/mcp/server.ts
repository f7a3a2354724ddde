// The MCP server: the verbs a role holder needs as tools, for one caller (the actor of a token).
// Each tool's input schema is its verb's zod input (facts included, so a client sees the values
// a fact takes), its output schema one of the API's (src/http/api/schemas.ts), and its result
// structured content in that shape. A refused or bad call is a tool error whose text is the
// API's error JSON `{"error": {"code", "message"}}`. Served over Streamable HTTP at /mcp
// (http.ts) and over stdio by `projectlead mcp --token …`.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Actor, Run } from '../domain/types.ts';
import { ValidationError } from '../errors.ts';
import { errorAnswer } from '../http/api/errors.ts';
import type { Presenter } from '../http/api/present.ts';
import {
  askAnswer,
  classificationSchema,
  runAnswer,
  runsAnswer,
  runsQuery,
  stepContextSchema,
  stepsAnswer,
} from '../http/api/schemas.ts';
import {
  blockStepInput,
  cancelRunInput,
  chooseChainInput,
  classifyInput,
  completeStepInput,
  followUpInput,
  reasonInput,
  reassignStepInput,
  runRefInput,
  stepRefInput,
  unblockStepInput,
  VERBS,
  type Verbs,
} from '../services/verbs.ts';

export const MCP_SERVER_NAME = 'projectlead';

export interface McpDeps {
  verbs: Verbs;
  present: Presenter;
}

const startRequestTool = z.object({
  text: z.string().min(1).max(100_000).describe('The request, as one would type it after /lead'),
  chain: z.string().min(1).optional().describe('A chain id (feature, bug, release, …): no classification'),
  channel: z.string().min(1).describe('The Slack channel the run is posted in'),
});
const listRunsTool = z.object({
  channel_id: runsQuery.shape.channel,
  limit: z.number().int().min(1).max(500).optional().describe('At most this many (default 100)'),
});
const startAnswer = z.object({ run: runAnswer.shape.run.optional(), ask: askAnswer.shape.ask.optional() });
const contextAnswer = z.object({ context: stepContextSchema });

/** A tool's result: the structured content, and the same as JSON text for clients without it. */
const ok = (value: Record<string, unknown>): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value) }],
  structuredContent: value,
});

/** A verb's error as a tool error; anything else is thrown (the SDK answers it as an error). */
function failed(err: unknown): CallToolResult {
  const answer = errorAnswer(err);
  if (!answer) throw err;
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(answer.body) }] };
}

export function createMcpServer(deps: McpDeps, actor: Actor): McpServer {
  const { verbs, present } = deps;
  const server = new McpServer({ name: MCP_SERVER_NAME, version: '1.0.0' });

  function tool<I extends z.ZodObject, O extends z.ZodObject>(
    name: string,
    description: string,
    input: I,
    output: O,
    run: (input: z.output<I>) => Promise<z.input<O>>,
    annotations: { readOnlyHint: boolean },
  ) {
    server.registerTool(
      name,
      { description, inputSchema: input, outputSchema: output, annotations },
      // biome-ignore lint/suspicious/noExplicitAny: the SDK types the arguments from the schema
      (async (args: any) => {
        try {
          return ok((await run(args as z.output<I>)) as Record<string, unknown>);
        } catch (err) {
          return failed(err);
        }
        // biome-ignore lint/suspicious/noExplicitAny: see above
      }) as any,
    );
  }
  const read = { readOnlyHint: true };
  const write = { readOnlyHint: false };
  const runOf = async (p: Promise<Run>) => ({ run: await present.run(await p) });

  tool(
    'list_my_steps',
    VERBS.my_steps.summary,
    z.object({}),
    stepsAnswer,
    async () => ({
      steps: (await verbs.my_steps({ actor, input: {} })).map((i) => i.context),
    }),
    read,
  );
  tool(
    'get_step_context',
    VERBS.get_step_context.summary,
    stepRefInput,
    contextAnswer,
    async (i) => ({
      context: await verbs.get_step_context({ actor, input: i }),
    }),
    read,
  );
  tool(
    'get_run',
    'A run with its steps and events, in the shape of `runs --json`',
    runRefInput,
    runAnswer,
    (i) => runOf(verbs.get_run({ actor, input: i })),
    read,
  );
  tool(
    'list_runs',
    VERBS.list_runs.summary,
    listRunsTool,
    runsAnswer,
    async (i) => {
      const runs = await verbs.list_runs({
        actor,
        input: { ...(i.channel_id ? { channel_id: i.channel_id } : {}), limit: i.limit ?? 100 },
      });
      return { runs: await Promise.all(runs.map((r) => present.run(r))) };
    },
    read,
  );
  tool(
    'classify_request',
    VERBS.classify.summary,
    classifyInput,
    // A top-level output schema is an object schema itself, not a reference to a named one.
    z.object(classificationSchema.shape),
    async (i) => present.classification(await verbs.classify({ actor, input: i })),
    read,
  );
  tool(
    'start_request',
    'A request, as /lead from the caller in that channel: a run starts, or the answer asks which chain (then choose_chain)',
    startRequestTool,
    startAnswer,
    async (i) => {
      const outcome = await verbs.start_request({
        actor,
        input: { text: i.text, channel_id: i.channel, source: 'api', ...(i.chain ? { chain: i.chain } : {}) },
      });
      if (outcome.kind === 'started') return { run: await present.run(outcome.run) };
      if (outcome.kind === 'ask') return { ask: { choices: outcome.choices, pending_id: outcome.pendingId } };
      throw new ValidationError(
        'too_little',
        'The request says too little to start a workflow; describe it.',
      );
    },
    write,
  );
  tool(
    'choose_chain',
    VERBS.choose_chain.summary,
    chooseChainInput,
    runAnswer,
    async (i) => runOf(verbs.choose_chain({ actor, input: i }).then((r) => r.run)),
    write,
  );
  tool(
    'complete_step',
    VERBS.complete_step.summary,
    completeStepInput,
    runAnswer,
    (i) => runOf(verbs.complete_step({ actor, input: i })),
    write,
  );
  tool(
    'block_step',
    VERBS.block_step.summary,
    blockStepInput,
    runAnswer,
    (i) => runOf(verbs.block_step({ actor, input: i })),
    write,
  );
  tool(
    'unblock_step',
    VERBS.unblock_step.summary,
    unblockStepInput,
    runAnswer,
    (i) => runOf(verbs.unblock_step({ actor, input: i })),
    write,
  );
  tool(
    'reject_run',
    VERBS.reject_run.summary,
    reasonInput,
    runAnswer,
    (i) => runOf(verbs.reject_run({ actor, input: i })),
    write,
  );
  tool(
    'skip_step',
    VERBS.skip_step.summary,
    reasonInput,
    runAnswer,
    (i) => runOf(verbs.skip_step({ actor, input: i })),
    write,
  );
  tool(
    'acknowledge_step',
    VERBS.acknowledge_step.summary,
    stepRefInput,
    runAnswer,
    (i) => runOf(verbs.acknowledge_step({ actor, input: i })),
    write,
  );
  tool(
    'reassign_step',
    VERBS.reassign_step.summary,
    reassignStepInput,
    runAnswer,
    (i) => runOf(verbs.reassign_step({ actor, input: i })),
    write,
  );
  tool(
    'cancel_run',
    `${VERBS.cancel_run.summary}. A run waiting on linked runs needs \`linked\`: cancel them too, or keep them going`,
    cancelRunInput,
    runAnswer,
    (i) => runOf(verbs.cancel_run({ actor, input: i })),
    write,
  );
  tool(
    'start_follow_up',
    `${VERBS.start_follow_up.summary}; the same follow-up twice is the run already started`,
    followUpInput,
    runAnswer,
    async (i) => runOf(verbs.start_follow_up({ actor, input: i }).then((r) => r.run)),
    write,
  );
  return server;
}
