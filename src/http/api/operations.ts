// The API's operations under /api/v1: one table, read by the router (index.ts) and by the
// OpenAPI document (openapi.ts), so the document lists exactly what is served. Each operation
// calls verbs of the verb table with the caller's actor; answers are the shapes of schemas.ts.
import { z } from 'zod';
import type { Actor } from '../../domain/types.ts';
import { ValidationError } from '../../errors.ts';
import type { ApiToken } from '../../persistence/ports.ts';
import { parseInput } from '../../services/parse-input.ts';
import type { Verbs } from '../../services/verbs.ts';
import type { ApiAnswer } from './errors.ts';
import type { Presenter } from './present.ts';
import {
  askAnswer,
  cancelBody,
  classificationSchema,
  classifyBody,
  followUpBody,
  requestBody,
  runAnswer,
  runsAnswer,
  runsQuery,
  stepsAnswer,
  stepVerbBody,
} from './schemas.ts';

export interface ApiDeps {
  verbs: Verbs;
  present: Presenter;
}

export interface ApiCall {
  actor: Actor;
  token: ApiToken;
  params: Record<string, string>;
  /** The query string's parameters (the first value of each). */
  query: Record<string, string>;
  body: unknown;
}

export interface ApiOperation {
  operationId: string;
  method: 'GET' | 'POST';
  /** The path under /api/v1, with `{name}` parameters. */
  path: string;
  summary: string;
  params?: z.ZodObject;
  /** The query string parameters it takes; one it does not know answers 400. */
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The answers it gives besides the errors every operation may give. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handle(deps: ApiDeps, call: ApiCall): Promise<ApiAnswer>;
  /**
   * The answer again, for a request whose `Idempotency-Key` was acted on already but whose
   * answer was never kept (its process stopped in between): the state the action left, read
   * now. Without it, such a repeat is told its answer was lost.
   */
  replay?(deps: ApiDeps, call: ApiCall): Promise<ApiAnswer>;
}

/** The run named in the path, as it is now: `200 {run}`. */
async function currentRun({ verbs, present }: ApiDeps, { actor, params }: ApiCall): Promise<ApiAnswer> {
  const run = await verbs.get_run({ actor, input: { run_id: params.id! } });
  return { status: 200, body: { run: await present.run(run) } };
}

/** Parse a request's part with its schema (the verbs' parser: the same errors as every surface). */
export const parseWith = parseInput;

/** The step verbs of `POST /runs/{id}/steps/{key}/{verb}`, and the verb each calls. */
export const STEP_VERBS = ['complete', 'block', 'unblock', 'reject', 'skip', 'ack', 'reassign'] as const;
export type StepVerb = (typeof STEP_VERBS)[number];

type StepBody = z.output<typeof stepVerbBody>;

/** Call the verb of a step action; its result is the run after it. */
function callStepVerb(
  verbs: Verbs,
  actor: Actor,
  verb: StepVerb,
  ref: { run_id: string; step_key: string },
  b: StepBody,
) {
  const role = b.role ? { role: b.role } : {};
  switch (verb) {
    case 'complete':
      return verbs.complete_step({
        actor,
        input: { ...ref, output: b.output ?? null, ...role, ...(b.facts ? { facts: b.facts } : {}) },
      });
    case 'block':
      return verbs.block_step({
        actor,
        input: {
          ...ref,
          reason: b.reason as string,
          ...(b.waiting !== undefined ? { waiting: b.waiting } : {}),
        },
      });
    case 'unblock':
      return verbs.unblock_step({ actor, input: { ...ref, rationale: b.reason ?? null } });
    case 'reject':
      return verbs.reject_run({ actor, input: { ...ref, reason: b.reason as string } });
    case 'skip':
      return verbs.skip_step({ actor, input: { ...ref, reason: b.reason as string } });
    case 'ack':
      return verbs.acknowledge_step({ actor, input: ref });
    case 'reassign':
      return verbs.reassign_step({
        actor,
        input: { ...ref, to: b.to === undefined ? [] : Array.isArray(b.to) ? b.to : [b.to], ...role },
      });
  }
}

/** Verbs that need a reason, and the ones that need someone to hand the step to. */
const NEEDS_REASON: ReadonlySet<StepVerb> = new Set(['block', 'reject', 'skip']);

const runParams = z.object({ id: z.string().min(1).max(64) });
const stepParams = z.object({
  id: z.string().min(1).max(64),
  key: z.string().min(1).max(128),
  verb: z.enum(STEP_VERBS),
});

export const OPERATIONS: readonly ApiOperation[] = [
  {
    operationId: 'listMySteps',
    method: 'GET',
    path: '/me/steps',
    summary: 'The steps waiting on the caller, each with its full context',
    responses: { 200: { description: 'The steps', schema: stepsAnswer } },
    async handle({ verbs }, { actor }) {
      const items = await verbs.my_steps({ actor, input: {} });
      return { status: 200, body: { steps: items.map((i) => i.context) } };
    },
  },
  {
    operationId: 'listRuns',
    method: 'GET',
    path: '/runs',
    summary: 'The open runs, newest first: all of them, or those of one channel',
    query: runsQuery,
    responses: { 200: { description: 'The runs', schema: runsAnswer } },
    async handle({ verbs, present }, { actor, query }) {
      const q = parseWith(runsQuery, query, 'query');
      const runs = await verbs.list_runs({
        actor,
        input: { limit: q.limit ?? 100, ...(q.channel ? { channel_id: q.channel } : {}) },
      });
      return { status: 200, body: { runs: await Promise.all(runs.map((r) => present.run(r))) } };
    },
  },
  {
    operationId: 'getRun',
    method: 'GET',
    path: '/runs/{id}',
    summary: 'One run, in the shape of `runs --json`',
    params: runParams,
    responses: { 200: { description: 'The run', schema: runAnswer } },
    async handle({ verbs, present }, { actor, params }) {
      const run = await verbs.get_run({ actor, input: { run_id: params.id! } });
      return { status: 200, body: { run: await present.run(run) } };
    },
  },
  {
    operationId: 'startRequest',
    method: 'POST',
    path: '/requests',
    summary:
      'A request, as `/lead` from the caller in that channel: a run starts, or the bot asks which chain',
    body: requestBody,
    responses: {
      201: { description: 'A run started', schema: runAnswer },
      200: { description: 'The bot asks which chain (pick with choose_chain)', schema: askAnswer },
    },
    async handle({ verbs, present }, { actor, body }) {
      const b = parseWith(requestBody, body, 'request');
      const outcome = await verbs.start_request({
        actor,
        input: { text: b.text, channel_id: b.channel, source: 'api', ...(b.chain ? { chain: b.chain } : {}) },
      });
      switch (outcome.kind) {
        case 'started':
          return { status: outcome.created ? 201 : 200, body: { run: await present.run(outcome.run) } };
        case 'ask':
          return { status: 200, body: { ask: { choices: outcome.choices, pending_id: outcome.pendingId } } };
        default:
          throw new ValidationError(
            'too_little',
            'The request says too little to start a workflow; describe it.',
          );
      }
    },
  },
  {
    operationId: 'actOnStep',
    method: 'POST',
    path: '/runs/{id}/steps/{key}/{verb}',
    summary:
      'Act on a step as its owner: complete (output, facts), block, unblock, reject, skip (reason), ack, reassign (to)',
    params: stepParams,
    body: stepVerbBody,
    responses: { 200: { description: 'The run after the action', schema: runAnswer } },
    async handle({ verbs, present }, { actor, params, body }) {
      const p = parseWith(stepParams, params, 'path');
      const b = parseWith(stepVerbBody, body ?? {}, p.verb);
      if (NEEDS_REASON.has(p.verb) && !b.reason?.trim())
        throw new ValidationError('reason_required', `${p.verb}: give a reason.`);
      if (p.verb === 'reassign' && b.to === undefined)
        throw new ValidationError('assignee_required', 'reassign: name who takes the step (to).');
      const run = await callStepVerb(verbs, actor, p.verb, { run_id: p.id, step_key: p.key }, b);
      return { status: 200, body: { run: await present.run(run) } };
    },
    replay: currentRun,
  },
  {
    operationId: 'cancelRun',
    method: 'POST',
    path: '/runs/{id}/cancel',
    summary:
      'Cancel a run (its requester or an admin); a run waiting on linked runs needs `linked`: cancel them too, or keep them',
    params: runParams,
    body: cancelBody,
    responses: { 200: { description: 'The run, cancelled', schema: runAnswer } },
    async handle({ verbs, present }, { actor, params, body }) {
      const b = parseWith(cancelBody, body ?? {}, 'cancel');
      const run = await verbs.cancel_run({
        actor,
        input: { run_id: params.id!, reason: b.reason ?? null, linked: b.linked ?? null },
      });
      return { status: 200, body: { run: await present.run(run) } };
    },
    replay: currentRun,
  },
  {
    operationId: 'startFollowUp',
    method: 'POST',
    path: '/runs/{id}/follow-ups',
    summary:
      "Turn a follow-up of an incident's post-mortem into a Bug Fix or New Feature run linked to the incident",
    params: runParams,
    body: followUpBody,
    responses: {
      201: { description: 'The follow-up run, started', schema: runAnswer },
      200: { description: 'That follow-up was started already: its run', schema: runAnswer },
    },
    async handle({ verbs, present }, { actor, params, body }) {
      const b = parseWith(followUpBody, body, 'follow-up');
      const { run, created } = await verbs.start_follow_up({
        actor,
        input: { run_id: params.id!, chain: b.chain, title: b.title },
      });
      return { status: created ? 201 : 200, body: { run: await present.run(run) } };
    },
  },
  {
    operationId: 'classify',
    method: 'POST',
    path: '/classify',
    summary: 'The chain, confidence and flags the classifier reads in a text; nothing starts',
    body: classifyBody,
    responses: { 200: { description: 'The classification', schema: classificationSchema } },
    async handle({ verbs, present }, { actor, body }) {
      const b = parseWith(classifyBody, body, 'classify');
      return { status: 200, body: present.classification(await verbs.classify({ actor, input: b })) };
    },
  },
];

/** The operation a method and path (under /api/v1) name, with its path parameters. */
export function matchOperation(
  method: string,
  path: string,
): { op: ApiOperation; params: Record<string, string> } | { allowed: string[] } | null {
  const parts = path.split('/').filter(Boolean);
  const allowed: string[] = [];
  for (const op of OPERATIONS) {
    const template = op.path.split('/').filter(Boolean);
    if (template.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (const [i, seg] of template.entries()) {
      const part = parts[i]!;
      if (seg.startsWith('{')) {
        try {
          params[seg.slice(1, -1)] = decodeURIComponent(part);
        } catch {
          ok = false;
        }
      } else if (seg !== part) ok = false;
      if (!ok) break;
    }
    if (!ok) continue;
    if (op.method === method) return { op, params };
    allowed.push(op.method);
  }
  return allowed.length > 0 ? { allowed } : null;
}
