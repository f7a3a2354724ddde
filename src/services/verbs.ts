// The verb table: every state change and query the bot offers, transport-free. Each verb is
// `verb({ actor, input })`: its input is parsed with the exported zod schema, the domain policy
// decides who may act, a state change is one transaction (refusals recorded, refusals.ts), and
// the result is typed. Slack's listeners and the CLI call verbs from this table; the HTTP API
// and the MCP server expose exactly it. Names and inputs are a public API: snake_case, stable.
import { z } from 'zod';
import type { Classification } from '../../routing/classifier/index.ts';
import { FLAGS, RELEASE_TYPES, SEVERITIES } from '../../routing/vocabulary.ts';
import type { Clock } from '../core/clock.ts';
import { FOLLOW_UP_CHAINS } from '../domain/links.ts';
import type { StepContext } from '../domain/step-context.ts';
import type { Actor, Run, Step } from '../domain/types.ts';
import { NotFoundError } from '../errors.ts';
import type { ClockService } from './clocks/clock-service.ts';
import { SNOOZE_DEFAULT_MINUTES } from './clocks/snooze-step.ts';
import type { DigestService } from './digests/digest-service.ts';
import { checkFactsOfStep, collectedFacts, factsInput } from './facts.ts';
import type { MetricsService } from './metrics/metrics.ts';
import { parseInput } from './parse-input.ts';
import type { PostmortemService } from './postmortems/postmortem.ts';
import type { RequestService } from './request-service.ts';
import type { RoleService, UsergroupLookup } from './role-service.ts';
import type { RunService } from './run-service.ts';

/** The services the verbs run on (the core provides them). */
export interface VerbServices {
  clock: Clock;
  runs: RunService;
  requests: RequestService;
  roles: RoleService;
  clocks: ClockService;
  digests: DigestService;
  metrics: MetricsService;
  postmortems: PostmortemService;
}

/** What a surface lends the verbs: Slack checks a user group before a role is given to it. */
export interface VerbPorts {
  usergroups?: UsergroupLookup;
}

export type VerbContext = VerbServices & VerbPorts;

export interface VerbCall<I> {
  actor: Actor;
  input: I;
}

export interface VerbDefinition<S extends z.ZodType, R> {
  /** One line for API and MCP clients. */
  summary: string;
  /** Whether it changes state (a query does not). */
  mutates: boolean;
  input: S;
  run(ctx: VerbContext, call: VerbCall<z.output<S>>): Promise<R>;
}

const verb = <S extends z.ZodType, R>(d: VerbDefinition<S, R>) => d;

// ---- inputs ----------------------------------------------------------------------------------

const runId = z.string().min(1).max(64);
const stepKey = z.string().min(1).max(128);
const userText = z.string().max(100_000);

export const runRefInput = z.object({ run_id: runId });
export const emptyInput = z.object({});

/** Where a reply linking to the new run goes: a channel and the thread in it. */
const replyInInput = z.object({ channel_id: z.string().min(1), thread_ts: z.string().min(1) });
const replyInOf = (i: { reply_in?: z.infer<typeof replyInInput> | null | undefined }) =>
  i.reply_in ? { replyIn: { channelId: i.reply_in.channel_id, threadTs: i.reply_in.thread_ts } } : {};

export const startRequestInput = z.object({
  text: userText,
  /** A chain named by the requester: no guessing. */
  chain: z.string().min(1).optional(),
  title: z.string().max(3000).optional(),
  channel_id: z.string().nullish(),
  thread_ts: z.string().nullish(),
  source: z.enum(['slash', 'mention', 'shortcut', 'api']).optional(),
  severity: z.enum(SEVERITIES).nullish(),
  flags: z.array(z.enum(FLAGS)).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  /** Deliveries this request answers: a repeated one never starts a second run. */
  idempotency_keys: z.array(z.string().min(1)).optional(),
  /** The thread the request was declared from: a reply there links to the run (via the outbox). */
  reply_in: replyInInput.nullish(),
});

export const startRunInput = z.object({
  chain: z.string().min(1),
  title: z.string().max(3000),
  text: userText.optional(),
  channel_id: z.string().nullish(),
  thread_ts: z.string().nullish(),
  severity: z.enum(SEVERITIES).nullish(),
  release_type: z.enum(RELEASE_TYPES).nullish(),
  change_type: z.string().nullish(),
  audit_type: z.string().nullish(),
  projects: z.array(z.string()).optional(),
  flags: z.array(z.enum(FLAGS)).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  idempotency_keys: z.array(z.string().min(1)).optional(),
  reply_in: replyInInput.nullish(),
});

export const chooseChainInput = z.object({
  pending_id: z.number().int().positive(),
  chain: z.string().min(1),
});

/** The facts a step collects (facts.ts: one schema and one check for every surface). */
export { factsInput };

export const completeStepInput = z.object({
  run_id: runId,
  step_key: stepKey.optional(),
  output: userText.nullish(),
  /** The role delivered for, when the actor holds several. */
  role: z.string().optional(),
  facts: factsInput.optional(),
});

export const blockStepInput = z.object({
  run_id: runId,
  step_key: stepKey.optional(),
  reason: userText,
  /** On a gated step: waiting on something, the gate not judged yet (default: the gate failed). */
  waiting: z.boolean().optional(),
});

export const unblockStepInput = z.object({
  run_id: runId,
  step_key: stepKey.optional(),
  rationale: userText.nullish(),
});

export const reasonInput = z.object({ run_id: runId, step_key: stepKey.optional(), reason: userText });

export const stepRefInput = z.object({ run_id: runId, step_key: stepKey.optional() });

export const reassignStepInput = z.object({
  run_id: runId,
  step_key: stepKey.optional(),
  to: z.array(z.string().min(1)),
  role: z.string().optional(),
});

export const followUpInput = z.object({
  run_id: runId,
  /** Bug Fix or New Feature. */
  chain: z.enum(FOLLOW_UP_CHAINS),
  title: userText.min(1),
});

export const cancelRunInput = z.object({
  run_id: runId,
  reason: userText.nullish(),
  /** The linked runs the run waits on: cancelled too, or kept going by themselves. */
  linked: z.enum(['cancel', 'keep']).nullish(),
});

export const snoozeStepInput = z.object({
  run_id: runId,
  step_key: stepKey,
  minutes: z.number().int().optional(),
});

export const gdprNotificationInput = z.object({ run_id: runId, note: z.string().nullish() });

export const setRoleInput = z.object({ role: z.string().min(1), members: z.array(z.string().min(1)) });

export const checkStepAccessInput = z.object({
  run_id: runId,
  step_key: stepKey,
  action: z.enum(['complete', 'block', 'unblock', 'reject', 'reassign', 'skip']),
});

export const threadRefInput = z.object({ channel_id: z.string().min(1), thread_ts: z.string().min(1) });

export const listRunsInput = z.object({
  channel_id: z.string().nullish(),
  limit: z.number().int().min(1).max(500).optional(),
});

export const metricsInput = z.object({
  /** Runs closed in the last n days; all time when left out. */
  since_days: z.number().int().min(1).max(3660).optional(),
});

export const digestInput = z.object({ period: z.enum(['daily', 'weekly']) });

export const classifyInput = z.object({ text: userText });

const DAY = 24 * 60 * 60 * 1000;

/** An actor who came through an API or MCP token: its name goes with the run it starts. */
const viaOf = (actor: Actor) => (actor.kind === 'api_user' ? { via: actor.label } : {});

/**
 * A start's idempotency keys: those given, and the delivery's own (`Actor.once`, an API request's
 * Idempotency-Key), so that a repeat finds the run it started even when its answer was lost.
 */
function startKeys(actor: Actor, given: string[] | undefined): { idempotencyKeys?: string[] } {
  const keys = [...(given ?? []), ...(actor.once ? [actor.once] : [])];
  return keys.length > 0 ? { idempotencyKeys: keys } : {};
}

/** The step named by `step_key`, as the services take it (the current step when left out). */
const stepOf = (i: { step_key?: string | undefined }) => (i.step_key ? { stepKey: i.step_key } : {});

// ---- the table -------------------------------------------------------------------------------

export const VERBS = {
  start_request: verb({
    summary: 'Start the chain a request names, or classify its text and start it or ask which chain',
    mutates: true,
    input: startRequestInput,
    run: (ctx, { actor, input: i }) =>
      ctx.requests.submit({
        text: i.text,
        requester: actor.userId,
        channelId: i.channel_id ?? null,
        threadTs: i.thread_ts ?? null,
        source: i.source ?? 'api',
        ...(i.chain ? { chain: i.chain } : {}),
        ...(i.title ? { title: i.title } : {}),
        ...(i.severity !== undefined ? { severity: i.severity } : {}),
        ...(i.flags ? { flags: i.flags } : {}),
        ...(i.context ? { context: i.context } : {}),
        ...startKeys(actor, i.idempotency_keys),
        ...replyInOf(i),
        ...viaOf(actor),
      }),
  }),
  start_run: verb({
    summary: 'Start a run of a chain with the facts given (no classification)',
    mutates: true,
    input: startRunInput,
    run: (ctx, { actor, input: i }) =>
      ctx.runs.startRun({
        chain: i.chain,
        title: i.title,
        text: i.text ?? i.title,
        requester: actor.userId,
        channelId: i.channel_id ?? null,
        threadTs: i.thread_ts ?? null,
        source: 'api',
        severity: i.severity ?? null,
        releaseType: i.release_type ?? null,
        changeType: i.change_type ?? null,
        auditType: i.audit_type ?? null,
        projects: i.projects ?? [],
        flags: i.flags ?? [],
        ...(i.context ? { context: i.context } : {}),
        ...startKeys(actor, i.idempotency_keys),
        ...replyInOf(i),
        ...viaOf(actor),
      }),
  }),
  choose_chain: verb({
    summary: 'The requester picks the chain of a request the classifier asked about; it starts once',
    mutates: true,
    input: chooseChainInput,
    run: (ctx, { actor, input: i }) => ctx.requests.chooseChain(actor, i.pending_id, i.chain),
  }),
  complete_step: verb({
    summary: "Record the actor's part of a step (output, facts it collects); done when every role delivered",
    mutates: true,
    input: completeStepInput,
    run: async (ctx, { actor, input: i }) => {
      // Each fact is one the step collects, with a value its chain takes; nothing changes otherwise.
      if (i.facts) await checkFactsOfStep(ctx.runs, i.run_id, i.step_key, i.facts);
      return ctx.runs.completeStep(i.run_id, actor, {
        ...stepOf(i),
        output: i.output ?? null,
        ...(i.role ? { role: i.role } : {}),
        ...(i.facts ? { facts: collectedFacts(i.facts) } : {}),
      });
    },
  }),
  block_step: verb({
    summary: 'Block the current step with a reason (on a gated step: the gate failed, or waiting)',
    mutates: true,
    input: blockStepInput,
    run: (ctx, { actor, input: i }) =>
      ctx.runs.blockStep(i.run_id, actor, {
        ...stepOf(i),
        reason: i.reason,
        ...(i.waiting !== undefined ? { waiting: i.waiting } : {}),
      }),
  }),
  unblock_step: verb({
    summary: 'Lift a block (a Privacy block: only Privacy, or Ghabs accepting the risk with a rationale)',
    mutates: true,
    input: unblockStepInput,
    run: (ctx, { actor, input: i }) =>
      ctx.runs.unblockStep(i.run_id, actor, {
        ...stepOf(i),
        rationale: i.rationale ?? null,
      }),
  }),
  reject_run: verb({
    summary: 'Reject the run at a gate that can reject it, with a reason',
    mutates: true,
    input: reasonInput,
    run: (ctx, { actor, input: i }) =>
      ctx.runs.rejectRun(i.run_id, actor, {
        ...stepOf(i),
        reason: i.reason,
      }),
  }),
  skip_step: verb({
    summary: 'Skip a step the playbook lets skip, with a reason',
    mutates: true,
    input: reasonInput,
    run: (ctx, { actor, input: i }) =>
      ctx.runs.skipStep(i.run_id, actor, {
        ...stepOf(i),
        reason: i.reason,
      }),
  }),
  acknowledge_step: verb({
    summary: 'Acknowledge the handoff of a step (its acknowledgement clock stops)',
    mutates: true,
    input: stepRefInput,
    run: (ctx, { actor, input: i }) => ctx.runs.acknowledgeStep(i.run_id, actor, stepOf(i)),
  }),
  reassign_step: verb({
    summary: 'Hand a step (one of its roles) to other users or user groups',
    mutates: true,
    input: reassignStepInput,
    run: (ctx, { actor, input: i }) =>
      ctx.runs.reassignStep(i.run_id, actor, {
        ...stepOf(i),
        to: i.to,
        ...(i.role ? { role: i.role } : {}),
      }),
  }),
  confirm_decision: verb({
    summary: "A person on the role's escalation path confirms an agent's pass or rejection of a gate",
    mutates: true,
    input: stepRefInput,
    run: (ctx, { actor, input: i }) => ctx.runs.confirmDecision(i.run_id, actor, stepOf(i)),
  }),
  overrule_decision: verb({
    summary: "Overrule an agent's decision on a gate with a reason: the step is the agent's again",
    mutates: true,
    input: reasonInput,
    run: (ctx, { actor, input: i }) =>
      ctx.runs.overruleDecision(i.run_id, actor, { ...stepOf(i), reason: i.reason }),
  }),
  start_follow_up: verb({
    summary: "Turn a follow-up of an incident's post-mortem into a Bug Fix or New Feature run linked to it",
    mutates: true,
    input: followUpInput,
    run: (ctx, { actor, input: i }) =>
      ctx.runs.startFollowUp(i.run_id, actor, { chain: i.chain, title: i.title }),
  }),
  cancel_run: verb({
    summary: 'Cancel a run (its requester or an admin)',
    mutates: true,
    input: cancelRunInput,
    run: (ctx, { actor, input: i }) =>
      ctx.runs.cancelRun(i.run_id, actor, { reason: i.reason ?? null, linked: i.linked ?? null }),
  }),
  snooze_step: verb({
    summary: "Push a step's pending reminders (default 60 minutes); escalations keep their time",
    mutates: true,
    input: snoozeStepInput,
    run: (ctx, { actor, input: i }) =>
      ctx.clocks.snoozeStep(i.run_id, actor, i.step_key, i.minutes ?? SNOOZE_DEFAULT_MINUTES),
  }),
  record_gdpr_notification: verb({
    summary: 'Privacy records that the supervisory authority was notified; the 72-hour clock stops',
    mutates: true,
    input: gdprNotificationInput,
    run: (ctx, { actor, input: i }) =>
      ctx.clocks.recordGdprNotification(i.run_id, actor, { note: i.note ?? null }),
  }),
  set_role: verb({
    summary: 'Set who holds a role (admins); steps waiting on the role go to its new holders',
    mutates: true,
    input: setRoleInput,
    run: async (ctx, { actor, input: i }) => {
      const holding = await ctx.roles.setRole(actor, i.role, i.members, {
        ...(ctx.usergroups ? { usergroups: ctx.usergroups } : {}),
      });
      const adopted = await ctx.runs.adoptRoleHolders(actor, holding.role);
      return { holding, adopted };
    },
  }),
  request_digest: verb({
    summary: 'The daily or weekly digest: an admin posts it to the digest channel; others see it alone',
    mutates: true,
    input: digestInput,
    run: (ctx, { actor, input: i }) => ctx.digests.requestDigest(i.period, actor),
  }),
  post_postmortem: verb({
    summary: "Draft an incident's post-mortem from its events and post it in the run's thread",
    mutates: true,
    input: runRefInput,
    run: (ctx, { actor, input: i }) => ctx.postmortems.postPostmortem(i.run_id, actor),
  }),

  get_run: verb({
    summary: 'A run with its steps',
    mutates: false,
    input: runRefInput,
    run: (ctx, { input: i }) => ctx.runs.getRun(i.run_id),
  }),
  get_thread_run: verb({
    summary: 'The run whose Slack thread this is (a reply there acts on it), or null',
    mutates: false,
    input: threadRefInput,
    run: (ctx, { input: i }): Promise<Run | null> => ctx.runs.runInThread(i.channel_id, i.thread_ts),
  }),
  list_runs: verb({
    summary: 'Open runs, newest first: all of them, or those of one channel',
    mutates: false,
    input: listRunsInput,
    run: (ctx, { input: i }) =>
      ctx.runs.openRuns({ channelId: i.channel_id ?? null, ...(i.limit ? { limit: i.limit } : {}) }),
  }),
  my_steps: verb({
    summary: 'The current steps waiting on the actor (or a user group they belong to), with their context',
    mutates: false,
    input: emptyInput,
    run: (ctx, { actor }): Promise<{ run: Run; step: Step; context: StepContext }[]> =>
      ctx.runs.waitingOn(actor),
  }),
  get_step_context: verb({
    summary: "What a step's owner needs: the request, expected output, gate, deadline, earlier outputs",
    mutates: false,
    input: stepRefInput,
    run: (ctx, { input: i }): Promise<StepContext> => ctx.runs.stepContext(i.run_id, i.step_key),
  }),
  check_step_access: verb({
    summary: 'Whether the actor may act on a step now (asked before a form opens); refusals are recorded',
    mutates: false,
    input: checkStepAccessInput,
    run: async (ctx, { actor, input: i }) => {
      if (i.action === 'unblock') return ctx.requests.unblockAccess(actor, i.run_id, i.step_key);
      const { run, step } = await ctx.requests.stepAccess(actor, i.run_id, i.step_key, i.action);
      return { run, step, riskAcceptance: false, riskAcceptor: null };
    },
  }),
  list_roles: verb({
    summary: 'Who holds each role, and its escalation path',
    mutates: false,
    input: emptyInput,
    run: (ctx) => ctx.roles.listRoles(),
  }),
  get_metrics: verb({
    summary: 'Per chain: runs closed, average duration, success rate; MTTR for SEV1 and SEV2',
    mutates: false,
    input: metricsInput,
    run: (ctx, { input: i }) =>
      ctx.metrics.getMetrics(
        i.since_days ? { from: ctx.clock() - i.since_days * DAY, to: null } : { from: null, to: null },
      ),
  }),
  get_digest: verb({
    summary: 'The digest as it would be posted now, with its Markdown; nothing is posted',
    mutates: false,
    input: digestInput,
    run: (ctx, { input: i }) => ctx.digests.dryRun(i.period),
  }),
  draft_postmortem: verb({
    summary: "An incident's post-mortem draft as Markdown; nothing is posted",
    mutates: false,
    input: runRefInput,
    run: (ctx, { input: i }) => ctx.postmortems.draft(i.run_id),
  }),
  classify: verb({
    summary: 'The chain, confidence, flags and facts the classifier reads in a request; nothing starts',
    mutates: false,
    input: classifyInput,
    run: (ctx, { input: i }): Promise<Classification<string>> => ctx.requests.classifyText(i.text),
  }),
};

export type VerbTable = typeof VERBS;
export type VerbName = keyof VerbTable;
export type VerbInput<N extends VerbName> = z.input<VerbTable[N]['input']>;
export type VerbResult<N extends VerbName> = Awaited<ReturnType<VerbTable[N]['run']>>;

/** The verbs bound to the services: `verbs.complete_step({ actor, input })`. */
export type Verbs = {
  [N in VerbName]: (call: VerbCall<VerbInput<N>>) => Promise<VerbResult<N>>;
};

export const VERB_NAMES = Object.keys(VERBS) as VerbName[];

export const isVerbName = (name: string): name is VerbName => Object.hasOwn(VERBS, name);

/** Parse a verb's input; a bad one is a ValidationError naming the first field at fault. */
export function parseVerbInput<N extends VerbName>(name: N, input: unknown): z.output<VerbTable[N]['input']> {
  return parseInput(VERBS[name].input, input ?? {}, name, { verb: name }) as z.output<VerbTable[N]['input']>;
}

/** Call a verb by name (the API and MCP server): the input is parsed, then the verb runs. */
export async function callVerb(ctx: VerbContext, name: string, call: VerbCall<unknown>): Promise<unknown> {
  if (!isVerbName(name)) throw new NotFoundError('unknown_verb', `There is no verb "${name}".`);
  const def = VERBS[name] as VerbDefinition<z.ZodType, unknown>;
  return def.run(ctx, { actor: call.actor, input: parseVerbInput(name, call.input) });
}

/** Every verb bound to the services, typed. */
export function bindVerbs(services: VerbServices, ports: VerbPorts = {}): Verbs {
  const ctx: VerbContext = { ...services, ...ports };
  const bound: Record<string, (call: VerbCall<unknown>) => Promise<unknown>> = {};
  for (const name of VERB_NAMES) bound[name] = (call) => callVerb(ctx, name, call);
  return bound as Verbs;
}
