// Requests in free text: classify them and start the chain when the classifier is sure, or keep
// them as a pending request and let the requester pick (the pick is remembered as a correction,
// so similar requests follow it). Slack deliveries carry idempotency keys: a repeated delivery
// never starts a second run and never asks twice.
import {
  buildCorrectionIndex,
  type Classification,
  type CorrectionIndex,
  classify,
  describingWords,
  isChainId,
  readFacts,
} from '../../routing/classifier/index.ts';
import { BUG_SEVERITIES, INCIDENT_SEVERITIES } from '../../routing/playbooks/schema.ts';
import type { RoleDirectory } from '../../routing/roles.ts';
import { notOwnerMessage, rolesHeld } from '../domain/run-machine.ts';
import {
  type Actor,
  CLOSED_RUN_STATUSES,
  type Run,
  type RunRequest,
  type RunSource,
  type Severity,
  type Step,
} from '../domain/types.ts';
import { NotFoundError, RefusedError, ValidationError } from '../errors.ts';
import type { Store } from '../persistence/store.ts';
import { recordRefusal } from './refusals.ts';
import type { RoleService } from './role-service.ts';
import type { Clock, RunService, StartResult } from './run-service.ts';

export interface RequestInput {
  text: string;
  requester: string;
  channelId: string | null;
  threadTs?: string | null;
  source: RunSource;
  /** A chain named by the requester (`/lead feature …`): no guessing. */
  chain?: string;
  /** Slack deliveries this request answers (`event:<id>`, `msg:<channel>:<ts>`, `view:<id>`). */
  idempotencyKeys?: string[];
  /** Facts the requester gave explicitly (a declared incident's severity, …): they win. */
  severity?: Severity | null;
  flags?: RunRequest['flags'];
  title?: string;
  context?: Record<string, unknown>;
  /** The thread of the message the request was declared from: a reply there links to the run. */
  replyIn?: RunRequest['replyIn'];
}

export type RequestOutcome =
  | { kind: 'started'; run: Run; created: boolean; classification: Classification }
  | { kind: 'ask'; pendingId: number; choices: string[]; classification: Classification }
  /** The same Slack delivery again, after it led to a question: nothing more to do. */
  | { kind: 'duplicate' }
  /**
   * The text says too little to act on (`???`, `:fire:`, `hi`, a bare link; `/lead incident ???`):
   * nothing was started or stored; the requester is asked to describe it (`chain`: the chain
   * they named, if any).
   */
  | { kind: 'describe'; chain: string | null };

export interface RequestServiceDeps {
  store: Store;
  runs: RunService;
  roles: Pick<RoleService, 'holdersOf'>;
  directory: RoleDirectory;
  clock: Clock;
}

const BUG = new Set<string>(BUG_SEVERITIES);
const INCIDENT = new Set<string>(INCIDENT_SEVERITIES);

/**
 * The request's facts for the chain that starts: the classification's when it read the text
 * as that chain, else the text read again for it (a severity the text states is kept when the
 * requester names or picks another chain than the classifier's). Only facts that mean
 * something for the chain are kept (a bug has no SEV level, …).
 */
function factsFor(
  chain: string,
  c: Classification,
  text: string,
): Pick<RunRequest, 'severity' | 'releaseType' | 'changeType' | 'projects' | 'flags'> {
  const read = isChainId(chain) && chain !== c.chain ? readFacts(text, chain) : c;
  const sev = read.severity;
  const severity =
    sev && ((chain === 'bug' && BUG.has(sev)) || (chain === 'incident' && INCIDENT.has(sev))) ? sev : null;
  return {
    severity,
    releaseType: chain === 'release' ? read.releaseType : null,
    changeType: chain === 'cross_project' ? read.changeType : null,
    projects: [...read.projects],
    flags: [...read.flags],
  };
}

/** How long a process trusts its copy of the classifier corrections. */
const CORRECTIONS_TTL_MS = 60_000;

export function createRequestService(deps: RequestServiceDeps) {
  const byCommand = new Map(deps.runs.playbooks.map((p) => [p.command, p.id]));
  const chainIds = new Set(deps.runs.playbooks.map((p) => p.id));
  let corrections: CorrectionIndex | null = null;
  let correctionsLoadedAt = 0;

  async function correctionIndex(): Promise<CorrectionIndex> {
    // Another bot process may have learned a correction: reload the index now and then.
    if (!corrections || deps.clock() - correctionsLoadedAt > CORRECTIONS_TTL_MS) {
      correctionsLoadedAt = deps.clock();
      const all = await deps.store.read.corrections.all();
      corrections = buildCorrectionIndex(
        all
          .filter((c) => isChainId(c.chain))
          .map((c) => ({
            text: c.text,
            chain: c.chain as Classification['choices'][number],
            predicted: isChainId(c.predicted) ? c.predicted : null,
            at: c.createdAt,
          })),
      );
    }
    return corrections;
  }

  function start(input: RequestInput, chain: string, c: Classification, keys: string[], source: RunSource) {
    const facts = factsFor(chain, c, input.text);
    return deps.runs.startRun({
      chain,
      title: input.title?.trim() || c.title || input.text.trim(),
      text: input.text,
      requester: input.requester,
      channelId: input.channelId,
      threadTs: input.threadTs ?? null,
      source,
      ...facts,
      severity: input.severity ?? facts.severity,
      flags: [...new Set([...(facts.flags ?? []), ...(input.flags ?? [])])],
      context: {
        ...(input.context ?? {}),
        classification: { chain: c.chain, confidence: c.confidence, explanation: c.explanation },
      },
      idempotencyKeys: keys,
      replyIn: input.replyIn ?? null,
    });
  }

  async function runAndStep(runId: string, stepKey: string): Promise<{ run: Run; step: Step }> {
    const run = await deps.runs.getRun(runId);
    const step = run.steps.find((s) => s.key === stepKey);
    if (!step) throw new NotFoundError('no_such_step', `${run.id} has no step "${stepKey}".`);
    return { run, step };
  }

  /** Records the refusal (a `refused` event), then throws it. */
  async function refuse(actor: string, action: string, err: RefusedError): Promise<never> {
    await recordRefusal(deps, { actor, action }, err);
    throw err;
  }

  /** The run is open and the actor holds a role of the step, or is an admin. */
  async function requireOwner(run: Run, step: Step, actor: Actor, verb: string): Promise<void> {
    const details = { runId: run.id, stepKey: step.key };
    if (CLOSED_RUN_STATUSES.includes(run.status)) {
      await refuse(
        actor.userId,
        verb,
        new RefusedError('run_closed', `${run.id} is already ${run.status}.`, details),
      );
    }
    if (rolesHeld(actor, step).length === 0 && !actor.isAdmin) {
      await refuse(
        actor.userId,
        verb,
        new RefusedError('not_owner', notOwnerMessage(step, run.id, verb), details),
      );
    }
  }

  return {
    /** The chain a `/lead` word names (`feature` → feature, `change` → cross_project), or null. */
    chainForCommand(word: string): string | null {
      return byCommand.get(word.toLowerCase()) ?? null;
    },

    /**
     * Start the named chain, or classify the text and start or ask. Text that says too little
     * (no words of its own, or a word or two that point nowhere) starts nothing and asks for
     * a description, whichever way it came in; a named chain too needs words that describe
     * something (`/lead incident ???` pages nobody).
     */
    async submit(input: RequestInput): Promise<RequestOutcome> {
      const text = input.text.trim();
      if (input.chain && !chainIds.has(input.chain))
        throw new NotFoundError('unknown_chain', `There is no chain "${input.chain}".`);
      if (input.chain && describingWords(`${input.title ?? ''}\n${text}`).length === 0)
        return { kind: 'describe', chain: input.chain };
      if (!text) return { kind: 'describe', chain: null };
      const keys = input.idempotencyKeys ?? [];
      const seen = await deps.store.read.idempotency.seen(keys);
      if (seen && seen.runId === null) return { kind: 'duplicate' };
      const c = classify(text, { corrections: await correctionIndex() });
      if (input.chain) {
        const { run, created } = await start(input, input.chain, c, keys, input.source);
        return { kind: 'started', run, created, classification: c };
      }
      if (c.error) return { kind: 'describe', chain: null };
      if (!c.ask && c.chain && chainIds.has(c.chain)) {
        const { run, created } = await start(input, c.chain, c, keys, input.source);
        return { kind: 'started', run, created, classification: c };
      }
      const choices = c.choices.length >= 2 ? [...c.choices] : [...chainIds];
      const outcome = await deps.store.transaction(async (repos) => {
        // Checked again inside the write lock: two deliveries of one request ask once.
        const again = await repos.idempotency.seen(keys);
        if (again)
          return again.runId === null
            ? ({ kind: 'duplicate' } as const)
            : ({ kind: 'run', runId: again.runId } as const);
        const pendingId = await repos.pending.insert({
          text,
          requester: input.requester,
          channelId: input.channelId,
          threadTs: input.threadTs ?? null,
          source: input.source,
          classification: {
            ...c,
            choices,
            title: input.title ?? c.title,
            context: input.context ?? {},
          } as unknown as Record<string, unknown>,
          createdAt: deps.clock(),
        });
        await repos.idempotency.record(keys, null, deps.clock());
        return { kind: 'ask', pendingId } as const;
      });
      if (outcome.kind === 'run')
        return {
          kind: 'started',
          run: await deps.runs.getRun(outcome.runId),
          created: false,
          classification: c,
        };
      if (outcome.kind === 'duplicate') return outcome;
      return { kind: 'ask', pendingId: outcome.pendingId, choices, classification: c };
    },

    /**
     * The requester picked a chain for a pending request: start it (once, however many times
     * the button is pressed) and remember the pick when it differs from the classifier's.
     */
    async chooseChain(pendingId: number, chain: string, userId: string): Promise<StartResult> {
      const pending = await deps.store.read.pending.get(pendingId);
      if (!pending)
        throw new NotFoundError('pending_not_found', 'That request is no longer waiting for a choice.');
      if (pending.requester !== userId && !(await deps.runs.actorFor(userId)).isAdmin) {
        await refuse(
          userId,
          'choose_chain',
          new RefusedError(
            'not_requester',
            `Only <@${pending.requester}> can choose the chain for this request.`,
          ),
        );
      }
      if (!chainIds.has(chain)) throw new ValidationError('unknown_chain', `There is no chain "${chain}".`);
      if (pending.resolvedRunId)
        return { run: await deps.runs.getRun(pending.resolvedRunId), created: false };
      const c = pending.classification as unknown as Classification & { context?: Record<string, unknown> };
      const input: RequestInput = {
        text: pending.text,
        requester: pending.requester,
        channelId: pending.channelId,
        threadTs: pending.threadTs,
        source: 'choice',
        title: c.title,
        context: c.context ?? {},
      };
      const result = await start(input, chain, c, [`pending:${pendingId}`], 'choice');
      if (result.created) {
        await deps.store.transaction(async (repos) => {
          await repos.pending.resolve(pendingId, result.run.id);
          if (chain !== c.chain) {
            await repos.corrections.insert({
              text: pending.text,
              chain,
              predicted: c.chain ?? null,
              actor: userId,
              createdAt: deps.clock(),
            });
          }
        });
        if (chain !== c.chain) corrections = null;
      }
      return result;
    },

    /**
     * Whether the user may act on the step now (an owner, an approver or an admin): checked
     * before a modal opens, so a non-owner is told at once instead of after typing. The service
     * verb checks again on submission.
     */
    async stepFor(
      runId: string,
      stepKey: string,
      userId: string,
      verb: string,
    ): Promise<{ run: Run; step: Step; actor: Actor }> {
      const { run, step } = await runAndStep(runId, stepKey);
      const actor = await deps.runs.actorFor(userId);
      await requireOwner(run, step, actor, verb);
      return { run, step, actor };
    },

    /**
     * Whether the user may lift the block on the step: the independence rule (a block raised by
     * Privacy: only Privacy, or Ghabs accepting the risk) or, for other blocks, an owner or admin.
     */
    async unblockAccess(runId: string, stepKey: string, userId: string) {
      const { run, step } = await runAndStep(runId, stepKey);
      if (step.status !== 'blocked') {
        await refuse(
          userId,
          'unblock',
          new RefusedError('step_not_blocked', `${step.title} (${run.id}) is not blocked.`, {
            runId,
            stepKey,
          }),
        );
      }
      const riskAcceptor = deps.directory.riskAcceptor;
      const actor = await deps.runs.actorFor(userId);
      if (!deps.directory.isIndependent(step.blockedByRole)) {
        await requireOwner(run, step, actor, 'unblock');
        return { run, step, actor, riskAcceptance: false, riskAcceptor };
      }
      const role = step.blockedByRole!;
      const holds = async (r: string) =>
        (await deps.roles.holdersOf(r)).some((p) => actor.principals.includes(p));
      if (await holds(role)) return { run, step, actor, riskAcceptance: false, riskAcceptor };
      if (await holds(riskAcceptor)) return { run, step, actor, riskAcceptance: true, riskAcceptor };
      return refuse(
        userId,
        'unblock',
        new RefusedError(
          'independence_rule',
          `This block was raised by @${role}: only @${role} can lift it, or @${riskAcceptor} accepting the risk with a written rationale.`,
          { runId, stepKey },
        ),
      );
    },

    /** Open runs, newest first. */
    openRuns(limit: number): Promise<Run[]> {
      return deps.store.read.runs.list({ open: true, newestFirst: true, limit });
    },
  };
}

export type RequestService = ReturnType<typeof createRequestService>;
