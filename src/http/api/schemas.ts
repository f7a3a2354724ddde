// The shapes the HTTP API and the MCP tools answer with, as zod schemas: the OpenAPI document
// and the tools' output schemas are generated from them, and the type checks below keep them
// the same as the TypeScript shapes the code builds (`runJson`, `StepContext`).
import { z } from 'zod';
import type { runJson } from '../../cli/json.ts';
import { CHANNEL_ID } from '../../core/principals.ts';
import { FOLLOW_UP_CHAINS, LINK_RELATIONS } from '../../domain/links.ts';
import type { StepContext } from '../../domain/step-context.ts';
import { RUN_STATUSES, STEP_STATUSES } from '../../domain/types.ts';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhook-events.ts';
import { factsInput } from '../../services/verbs.ts';

const iso = z.string().describe('ISO 8601 time');

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('A code of the error catalog (stable)'),
      message: z.string(),
    }),
  })
  .meta({ id: 'Error' });

export const runSchema = z
  .object({
    id: z.string(),
    chain: z.string(),
    title: z.string(),
    status: z.enum(RUN_STATUSES),
    severity: z.string().nullable(),
    releaseType: z.string().nullable(),
    requester: z.string(),
    channel: z.string().nullable(),
    flags: z.array(z.string()),
    projects: z.array(z.string()),
    createdAt: iso.nullable(),
    closedAt: iso.nullable(),
    steps: z.array(
      z.object({
        key: z.string(),
        title: z.string(),
        owners: z.array(z.string()).describe('Role names'),
        assignees: z.array(z.string()).describe('User and user group IDs'),
        status: z.enum(STEP_STATUSES),
        output: z.string().nullable(),
        startedAt: iso.nullable(),
        completedAt: iso.nullable(),
        skipReason: z.string().optional(),
        blockReason: z.string().optional(),
      }),
    ),
    links: z
      .array(
        z.object({
          relation: z
            .enum(LINK_RELATIONS)
            .describe(
              'What the linked run is to this one: step (runs one of its steps), parent (the run whose step this one runs), follow_up, follow_up_of, audit, audit_of',
            ),
          runId: z.string(),
          chain: z.string(),
          title: z.string(),
          step: z.string().nullable().describe('The parent step the child runs (step and parent links)'),
          status: z.enum(RUN_STATUSES).describe("The linked run's status"),
          detached: z.boolean().optional().describe('The parent was cancelled and this child kept going'),
        }),
      )
      .describe('Runs linked to this one'),
    events: z.array(
      z.object({
        at: iso.nullable(),
        actor: z.string(),
        type: z.string(),
        step: z.string().nullable(),
        data: z.record(z.string(), z.unknown()),
      }),
    ),
  })
  .meta({ id: 'Run', description: 'A run, in the shape of `projectlead runs --json`' });

export const stepContextSchema = z
  .object({
    run_id: z.string(),
    chain: z.string(),
    chain_title: z.string(),
    run_title: z.string(),
    step_key: z.string(),
    step_title: z.string(),
    position: z.number().int(),
    total: z.number().int(),
    step_status: z.enum(STEP_STATUSES),
    owners: z.array(z.string()),
    assignees: z.array(z.string()),
    output: z.string().nullable().describe('What the step is expected to produce'),
    gate: z.object({ check: z.string(), can_block: z.boolean(), can_reject: z.boolean() }).nullable(),
    collects: z.array(z.string()).describe('Facts the step collects (keys of `facts`)'),
    due_at: iso.nullable(),
    acknowledged_at: iso.nullable(),
    channel_id: z.string().nullable(),
    thread_ts: z.string().nullable(),
    request: z.object({
      text: z.string(),
      requester: z.string(),
      severity: z.string().nullable(),
      release_type: z.string().nullable(),
      projects: z.array(z.string()),
      flags: z.array(z.string()),
    }),
    earlier_outputs: z.array(
      z.object({
        step_key: z.string(),
        step_title: z.string(),
        status: z.enum(STEP_STATUSES),
        output: z.string().nullable(),
        by: z.array(z.string()),
        completed_at: iso.nullable(),
      }),
    ),
  })
  .meta({ id: 'StepContext', description: "What a step's owner needs to do it" });

export const classificationSchema = z
  .object({
    chain: z.string().nullable(),
    confidence: z.number().min(0).max(1),
    ask: z.boolean().describe('True when the bot would ask the requester to choose'),
    choices: z.array(z.string()),
    flags: z.array(z.string()),
    severity: z.string().nullable(),
    release_type: z.string().nullable(),
    projects: z.array(z.string()),
    title: z.string(),
    explanation: z.string(),
  })
  .meta({ id: 'Classification' });

/** Facts a step collects, validated the same way in Slack, the API and MCP. */
export const factsSchema = factsInput.meta({ id: 'Facts', description: 'Facts a step collects' });

export const stepVerbBody = z
  .object({
    output: z.string().max(100_000).nullish().describe('complete: what the step produced'),
    reason: z
      .string()
      .max(100_000)
      .optional()
      .describe('block, reject, skip: why; unblock: the rationale (accepting a Privacy risk)'),
    facts: factsSchema.optional(),
    to: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe('reassign: the user or group IDs who take the step'),
    role: z.string().optional().describe('The role acted for, when the caller holds several'),
    waiting: z.boolean().optional().describe('block on a gated step: waiting, the gate not judged'),
  })
  .meta({ id: 'StepVerbBody' });

export const runsQuery = z
  .strictObject({
    channel: z
      .string()
      .regex(CHANNEL_ID, 'a Slack channel ID (C…)')
      .optional()
      .describe('Only the runs posted in this channel'),
    limit: z.coerce.number().int().min(1).max(500).optional().describe('At most this many (default 100)'),
  })
  .meta({ id: 'RunsQuery' });

export const requestBody = z
  .object({
    text: z.string().min(1).max(100_000),
    chain: z.string().min(1).optional().describe('A chain id: no classification'),
    channel: z.string().min(1).describe('The Slack channel the run is posted in'),
  })
  .meta({ id: 'RequestBody' });

export const cancelBody = z
  .object({
    reason: z.string().max(100_000).nullish(),
    linked: z
      .enum(['cancel', 'keep'])
      .nullish()
      .describe('The linked runs the run waits on: cancelled too, or kept going by themselves'),
  })
  .meta({ id: 'CancelBody' });

export const followUpBody = z
  .object({
    chain: z.enum(FOLLOW_UP_CHAINS).describe('bug: a Bug Fix run; feature: a New Feature run'),
    title: z.string().min(1).max(100_000).describe("The follow-up, in the post-mortem's words"),
  })
  .meta({ id: 'FollowUpBody' });

export const classifyBody = z.object({ text: z.string().max(100_000) }).meta({ id: 'ClassifyBody' });

export const runAnswer = z.object({ run: runSchema });
export const askAnswer = z.object({
  ask: z.object({
    choices: z.array(z.string()),
    pending_id: z.number().int().describe('Pick with the MCP tool choose_chain'),
  }),
});
export const stepsAnswer = z.object({ steps: z.array(stepContextSchema) });
export const runsAnswer = z.object({ runs: z.array(runSchema) });

export const webhookPayloadSchema = z
  .object({ type: z.enum(WEBHOOK_EVENT_TYPES), timestamp: iso, data: z.record(z.string(), z.unknown()) })
  .meta({ id: 'WebhookPayload' });

// The schemas describe what the code builds: these fail to compile when the two drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameRun: Same<
  z.infer<typeof runSchema>['steps'][number]['status'],
  ReturnType<typeof runJson>['steps'][number]['status']
> = true;
const sameContext: Same<
  Omit<z.infer<typeof stepContextSchema>, 'gate' | 'earlier_outputs'>,
  Omit<StepContext, 'gate' | 'earlier_outputs'>
> = true;
const runFits = (r: ReturnType<typeof runJson>): z.infer<typeof runSchema> => r;
const contextFits = (c: StepContext): z.infer<typeof stepContextSchema> => c;
export const SCHEMA_CHECKS = [sameRun, sameContext, runFits, contextFits] as const;
