// Requests in free text: classify them and start the chain when the classifier is sure, or keep
// them as a pending request and let the requester pick (the pick is remembered as a correction,
// so similar requests follow it). Slack deliveries carry idempotency keys: a repeated delivery
// never starts a second run and never asks twice.
import {
  buildCorrectionIndex,
  buildExampleIndex,
  type ChainClassification,
  type CorrectionIndex,
  classifyRequest,
  describingWords,
  type ExampleIndex,
  isChainId,
  readFacts,
} from '../../routing/classifier/index.ts';
import type { RoleDirectory } from '../../routing/roles.ts';
import { BUG_SEVERITIES, INCIDENT_SEVERITIES } from '../../routing/vocabulary.ts';
import type { Clock } from '../core/clock.ts';
import { isChannelId } from '../core/principals.ts';
import { refuse, requireRequester, requireStepActor, unblockAccess } from '../domain/policy.ts';
import type { Actor, Run, RunRequest, RunSource, Severity, Step } from '../domain/types.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Store } from '../persistence/ports.ts';
import type { RunService, StartResult } from './run-service.ts';
import { roleHolders, withRefusalsRecorded } from './verb-transaction.ts';

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
  /** The API or MCP token (its name) the request came through. */
  via?: string;
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

/** A classification among the six chains and the teams' chains (routed by their examples). */
type Classification = ChainClassification;

export interface RequestServiceDeps {
  store: Store;
  runs: RunService;
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
  const titles = Object.fromEntries(deps.runs.playbooks.map((p) => [p.id, p.title]));
  // Teams' chains are routed by their examples; a requester's pick of one is one more example.
  const teamExamples = deps.runs.playbooks.flatMap((p) =>
    (p.examples ?? []).map((text) => ({ chain: p.id, text })),
  );
  let corrections: { index: CorrectionIndex; examples: ExampleIndex } | null = null;
  let correctionsLoadedAt = 0;

  async function routing(): Promise<{
    corrections: CorrectionIndex;
    examples: ExampleIndex;
    titles: typeof titles;
  }> {
    const { index, examples } = await correctionIndex();
    return { corrections: index, examples, titles };
  }

  async function correctionIndex(): Promise<{ index: CorrectionIndex; examples: ExampleIndex }> {
    // Another bot process may have learned a correction: reload the index now and then.
    if (!corrections || deps.clock() - correctionsLoadedAt > CORRECTIONS_TTL_MS) {
      correctionsLoadedAt = deps.clock();
      const all = await deps.store.read.corrections.all();
      const picked = all
        .filter((c) => !isChainId(c.chain) && chainIds.has(c.chain))
        .map((c) => ({ chain: c.chain, text: c.text }));
      corrections = {
        examples: buildExampleIndex([...teamExamples, ...picked]),
        index: buildCorrectionIndex(
          all
            .filter((c) => isChainId(c.chain))
            .map((c) => ({
              text: c.text,
              chain: c.chain as 'feature',
              predicted: isChainId(c.predicted) ? c.predicted : null,
              at: c.createdAt,
            })),
        ),
      };
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
      ...(input.via ? { via: input.via } : {}),
    });
  }

  async function runAndStep(runId: string, stepKey: string): Promise<{ run: Run; step: Step }> {
    const run = await deps.runs.getRun(runId);
    const step = run.steps.find((s) => s.key === stepKey);
    if (!step) throw new NotFoundError('no_such_step', `${run.id} has no step "${stepKey}".`);
    return { run, step };
  }

  return {
    /** The chain a `/lead` word names (`feature` → feature, `change` → cross_project), or null. */
    chainForCommand(word: string): string | null {
      return byCommand.get(word.toLowerCase()) ?? null;
    },

    /** The classification of a text, with the corrections learned so far (nothing is started). */
    async classifyText(text: string): Promise<Classification> {
      return classifyRequest(text, await routing());
    },

    /**
     * Start the named chain, or classify the text and start or ask. Text that says too little
     * (no words of its own, or a word or two that point nowhere) starts nothing and asks for
     * a description, whichever way it came in; a named chain too needs words that describe
     * something (`/lead incident ???` pages nobody).
     */
    async submit(input: RequestInput): Promise<RequestOutcome> {
      const text = input.text.trim();
      if (input.channelId !== null && !isChannelId(input.channelId))
        throw new ValidationError(
          'bad_channel',
          `"${input.channelId}" is not a Slack channel ID: give the channel's ID (C…), not its name.`,
        );
      if (input.chain && !chainIds.has(input.chain))
        throw new NotFoundError('unknown_chain', `There is no chain "${input.chain}".`);
      if (input.chain && describingWords(`${input.title ?? ''}\n${text}`).length === 0)
        return { kind: 'describe', chain: input.chain };
      if (!text) return { kind: 'describe', chain: null };
      const keys = input.idempotencyKeys ?? [];
      const seen = await deps.store.read.idempotency.seen(keys);
      if (seen && seen.runId === null) return { kind: 'duplicate' };
      const c = classifyRequest(text, await routing());
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
        // Claimed before asking: two deliveries of one request ask once. The keys lead nowhere.
        const claim = await repos.idempotency.claim(keys, deps.clock());
        if (!claim.claimed)
          return claim.runId === null
            ? ({ kind: 'duplicate' } as const)
            : ({ kind: 'run', runId: claim.runId } as const);
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
    async chooseChain(actor: Actor, pendingId: number, chain: string): Promise<StartResult> {
      const pending = await deps.store.read.pending.get(pendingId);
      if (!pending)
        throw new NotFoundError('pending_not_found', 'That request is no longer waiting for a choice.');
      await withRefusalsRecorded(deps, { actor, verb: 'choose_chain' }, async () =>
        requireRequester(actor, pending.requester),
      );
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
              actor: actor.userId,
              createdAt: deps.clock(),
            });
          }
        });
        if (chain !== c.chain) corrections = null;
      }
      return result;
    },

    /**
     * Whether the actor may act on the step now (an owner, an approver or an admin, on an open
     * run): checked before a modal opens, so a non-owner is told at once instead of after
     * typing. The verb checks again on submission.
     */
    async stepAccess(
      actor: Actor,
      runId: string,
      stepKey: string,
      verb: string,
    ): Promise<{ run: Run; step: Step }> {
      const { run, step } = await runAndStep(runId, stepKey);
      await withRefusalsRecorded(deps, { actor, verb, runId }, async () =>
        requireStepActor(run, step, actor, verb),
      );
      return { run, step };
    },

    /**
     * Whether the actor may lift the block on the step: the independence rule (a block raised
     * by Privacy: only Privacy, or Ghabs accepting the risk) or, for other blocks, an owner or
     * an admin.
     */
    async unblockAccess(
      actor: Actor,
      runId: string,
      stepKey: string,
    ): Promise<{ run: Run; step: Step; riskAcceptance: boolean; riskAcceptor: string }> {
      const { run, step } = await runAndStep(runId, stepKey);
      const holders = await roleHolders(deps.store.read, deps.directory);
      const access = await withRefusalsRecorded(deps, { actor, verb: 'unblock', runId }, async () => {
        if (step.status !== 'blocked') {
          refuse(actor, 'step_not_blocked', `${step.title} (${run.id}) is not blocked.`, { runId, stepKey });
        }
        return unblockAccess(run, step, actor, { directory: deps.directory, holders });
      });
      return { run, step, ...access };
    },
  };
}

export type RequestService = ReturnType<typeof createRequestService>;
