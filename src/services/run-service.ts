// The run verbs: start a run and every transition on it. Each verb authorizes, applies one
// transition of the state machine and saves the run, its events and its outbox messages in one
// transaction. A refused action changes nothing and is recorded as a `refused` event.
import type { Playbook } from '../../routing/playbooks/schema.ts';
import type { RoleDirectory } from '../../routing/roles.ts';
import type { Clock } from '../core/clock.ts';
import { PRINCIPALS, type Principals } from '../core/principals.ts';
import { addLink, type ChildrenOnCancel, type FollowUpChain, followUpRequest } from '../domain/links.ts';
import type { Notice, ReplyPlace } from '../domain/notices.ts';
import { requireFollowUpStarter } from '../domain/policy.ts';
import { type CollectedFacts, newRun, RunTransition } from '../domain/run-machine.ts';
import type { StepContext } from '../domain/step-context.ts';
import {
  agentActor,
  confirmDecision,
  decisionToJudge,
  overruleDecision,
} from '../domain/transitions/agent-decisions.ts';
import { blockStep, rejectRun, unblockStep } from '../domain/transitions/blocks.ts';
import { completeStep } from '../domain/transitions/complete-step.ts';
import {
  acknowledgeStep,
  adoptRoleHolders,
  cancelRun,
  reassignStep,
  skipStep,
} from '../domain/transitions/hand-over.ts';
import {
  type Actor,
  CLOSED_RUN_STATUSES,
  type Run,
  type RunEvent,
  type RunRequest,
  type Step,
  SYSTEM_ACTOR,
} from '../domain/types.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Repositories, Store } from '../persistence/ports.ts';
import { createLinkHook, startLinked } from './links/linked-runs.ts';
import { stepContexts } from './step-context.ts';
import { inVerbTransaction, roleHolders } from './verb-transaction.ts';

/**
 * Called inside the transaction of each transition. `beforeNotices`: before the transition's
 * messages are enqueued (the clocks schedule and cancel timers there, so a handoff carries its
 * deadline); `afterTransition`: after them (a message a hook adds goes after the transition's).
 */
export interface TransitionHook {
  /** Before the run is saved: changes to the run made here are saved with it. */
  beforeSave?(repos: Repositories, transition: RunTransition, now: number): Promise<void>;
  beforeNotices?(repos: Repositories, transition: RunTransition, now: number): Promise<void>;
  afterTransition(repos: Repositories, transition: RunTransition, now: number): Promise<void>;
}

export interface RunServiceDeps {
  store: Store;
  playbooks: Playbook[];
  directory: RoleDirectory;
  clock: Clock;
  hooks?: TransitionHook[];
  /** How principal IDs are told apart (default: src/core/principals.ts). */
  principals?: Principals;
}

export interface StartResult {
  run: Run;
  /** False when the request repeated one already handled (same Slack delivery). */
  created: boolean;
}

/** Ends the timers of steps that are no longer active, and all of a closed run's step timers. */
const endTimers: TransitionHook = {
  async afterTransition() {},
  async beforeNotices(repos, tr) {
    // A reassignment restarts the clocks of the step (activated again); a new activation has
    // none yet. One statement for all of them.
    const ids = [...tr.endedSteps, ...tr.activatedSteps]
      .map((idx) => tr.run.steps[idx]?.id)
      .filter((id): id is number => id != null);
    await repos.timers.cancelForSteps(ids);
    if (CLOSED_RUN_STATUSES.includes(tr.run.status)) await repos.timers.cancelForRun(tr.run.id, ['gdpr']);
  },
};

/**
 * The reply in the thread a run was declared from, linking to the run. A run's message: it goes
 * after the run's earlier ones, so the root it links to exists by then.
 */
function declaredReply(run: Run, replyIn: ReplyPlace) {
  const notice: Notice = {
    type: 'run_declared',
    runId: run.id,
    by: run.requester,
    severity: run.severity,
    title: run.title,
    replyIn,
  };
  return { runId: run.id, delivery: { kind: 'channel', channelId: replyIn.channelId } as const, notice };
}

/**
 * An action taken through an API or MCP token: the token's name goes with each event (`token`)
 * and each message to the thread (`via`), so the thread and the log say which agent acted.
 */
function markVia(tr: RunTransition, via: string | undefined) {
  if (!via) return;
  for (const e of tr.events) e.data = { ...e.data, token: via };
  for (const m of tr.messages) if (m.notice.runId) m.notice = { ...m.notice, via } as Notice;
}

/** The token name of an actor who came through the API or MCP. */
const viaOf = (actor: Actor) => (actor.kind === 'api_user' ? actor.label : undefined);

export function createRunService(deps: RunServiceDeps) {
  const playbookById = new Map(deps.playbooks.map((p) => [p.id, p]));
  // Linked runs are part of every run service: a step handed to a linked run starts it here.
  const links = createLinkHook({ runs: () => ({ startIn, applyIn }) });
  const hooks: TransitionHook[] = [endTimers, links, ...(deps.hooks ?? [])];
  const principals = deps.principals ?? PRINCIPALS;
  const machine = async (repos: Repositories, playbook: Playbook, now: number) => ({
    playbook,
    directory: deps.directory,
    holders: await roleHolders(repos, deps.directory),
    isGroup: principals.isGroup,
    now,
  });

  function playbookFor(chain: string): Playbook {
    const p = playbookById.get(chain);
    if (!p) throw new NotFoundError('unknown_chain', `There is no chain "${chain}".`);
    return p;
  }

  /**
   * Save the transition: the run, its events, its timers, then its messages. Each handoff carries
   * the step's whole context as it stands in this transaction (its deadline is the timer just
   * scheduled): the outbox row is a snapshot of what was handed off, rendered without reading
   * the run again, and the same for every surface (Slack's text and metadata, webhooks).
   * Messages a bot user's action caused name that bot in plain text (never a mention), except
   * the handoffs, which mention their owners.
   */
  async function persist(
    repos: Repositories,
    tr: RunTransition,
    expectedVersion: number,
    now: number,
    actor?: Actor,
  ) {
    for (const hook of hooks) await hook.beforeSave?.(repos, tr, now);
    await repos.runs.save(tr.run, tr.changedSteps, expectedVersion, tr.events);
    for (const hook of hooks) await hook.beforeNotices?.(repos, tr, now);
    const quiet = actor?.kind === 'slack_bot' ? [{ userId: actor.userId, name: actor.label }] : null;
    const messages = [];
    for (const m of tr.messages) {
      let notice = m.notice;
      if (notice.type === 'handoff') {
        const step = tr.run.steps.find((s) => s.key === (notice as { stepKey: string }).stepKey);
        if (step) {
          const [context] = await stepContexts(repos, playbookById, [{ run: tr.run, step }]);
          notice = { ...notice, context: context as StepContext };
        }
      } else if (quiet) notice = { ...notice, quiet } as Notice;
      messages.push({ runId: tr.run.id, delivery: m.delivery, notice });
    }
    await repos.outbox.enqueue(messages, now);
    for (const hook of hooks) await hook.afterTransition(repos, tr, now);
  }

  /**
   * One transition of a run inside a transaction the caller holds: `apply` changes the
   * transition; the run, its events, its messages and its clocks are saved with the caller's
   * other writes.
   */
  async function applyIn(
    repos: Repositories,
    runId: string,
    now: number,
    /** Changes the transition; `false`: nothing changed, nothing is saved. */
    apply: (tr: RunTransition) => unknown,
    /** Who acts (a bot user's action names it without mentioning it). */
    actor?: Actor,
  ): Promise<Run> {
    const run = await repos.runs.get(runId);
    if (!run) throw new NotFoundError('run_not_found', `There is no run ${runId}.`);
    const tr = new RunTransition(run, await machine(repos, playbookFor(run.chain), now));
    const version = run.version;
    if (apply(tr) === false) return run;
    await persist(repos, tr, version, now, actor);
    return tr.run;
  }

  /**
   * `startRun` inside a transaction the caller holds (an alert is stored with the run it
   * opens, in one transaction).
   */
  async function startIn(
    repos: Repositories,
    request: RunRequest,
    now: number,
    /** More of the same transition, before it is saved (an alert records Detect from itself). */
    then?: (tr: RunTransition) => void,
  ): Promise<StartResult> {
    const playbook = playbookFor(request.chain);
    const title = request.title.trim();
    if (!title) throw new ValidationError('empty_request', 'Say what the request is about.');
    if (!principals.isUser(request.requester) && request.requester !== SYSTEM_ACTOR) {
      throw new ValidationError('bad_requester', `"${request.requester}" is not a user ID.`);
    }
    const keys = request.idempotencyKeys ?? [];
    // The keys first: a repeated delivery finds them, whichever transaction commits first.
    const claim = await repos.idempotency.claim(keys, now);
    if (!claim.claimed && claim.runId) {
      const existing = await repos.runs.get(claim.runId);
      if (existing) return { run: existing, created: false };
    }
    const seq = await repos.runs.nextSeq(playbook.prefix);
    const m = await machine(repos, playbook, now);
    // The roles the requester holds, as a user or through a user group (`$requesterTier2`).
    const requesterPrincipals = [request.requester, ...(await repos.usergroups.groupsOf(request.requester))];
    const requesterRoles = deps.directory.names.filter((role) =>
      m.holders(role).some((p) => requesterPrincipals.includes(p)),
    );
    const run = newRun(
      { ...request, title },
      { id: `${playbook.prefix}-${seq}`, seq },
      { playbook, directory: deps.directory, now, requesterRoles },
    );
    await repos.runs.insert(run);
    const tr = new RunTransition(run, m);
    tr.start(request.requester, request.entry);
    then?.(tr);
    markVia(tr, request.via);
    await persist(repos, tr, run.version, now);
    if (request.replyIn) await repos.outbox.enqueue([declaredReply(tr.run, request.replyIn)], now);
    await repos.idempotency.attach(keys, run.id);
    return { run: tr.run, created: true };
  }

  /** Apply one transition to a run, as one verb (see verb-transaction.ts). */
  function transition(runId: string, actor: Actor, verb: string, apply: (tr: RunTransition) => void) {
    return inVerbTransaction(deps, { runId, actor, verb }, (repos, now) =>
      applyIn(
        repos,
        runId,
        now,
        (tr) => {
          apply(tr);
          markVia(tr, viaOf(actor));
        },
        actor,
      ),
    );
  }

  return {
    playbooks: deps.playbooks,
    playbookFor,
    startIn,
    applyIn,

    /** Start a run. Repeated Slack deliveries (same idempotency keys) return the first run. */
    startRun(request: RunRequest): Promise<StartResult> {
      return deps.store.transaction((repos) => startIn(repos, request, deps.clock()));
    },

    completeStep(
      runId: string,
      actor: Actor,
      input: { stepKey?: string; output?: string | null; role?: string; facts?: CollectedFacts } = {},
    ) {
      return transition(runId, actor, 'complete', (tr) => completeStep(tr, actor, input));
    },
    blockStep(runId: string, actor: Actor, input: { stepKey?: string; reason: string; waiting?: boolean }) {
      return transition(runId, actor, 'block', (tr) => blockStep(tr, actor, input));
    },
    unblockStep(runId: string, actor: Actor, input: { stepKey?: string; rationale?: string | null } = {}) {
      return transition(runId, actor, 'unblock', (tr) => unblockStep(tr, actor, input));
    },
    rejectRun(runId: string, actor: Actor, input: { stepKey?: string; reason: string }) {
      return transition(runId, actor, 'reject', (tr) => rejectRun(tr, actor, input));
    },
    reassignStep(runId: string, actor: Actor, input: { stepKey?: string; to: string[]; role?: string }) {
      // They become the step's holders for its role: users or user groups, as a role's holders.
      const bad = input.to.find((p) => !principals.isHolder(p));
      if (bad !== undefined)
        return Promise.reject(new ValidationError('bad_member', `"${bad}" is not a user or user group ID.`));
      return transition(runId, actor, 'reassign', (tr) => reassignStep(tr, actor, input));
    },
    skipStep(runId: string, actor: Actor, input: { stepKey?: string; reason: string }) {
      return transition(runId, actor, 'skip', (tr) => skipStep(tr, actor, input));
    },
    cancelRun(
      runId: string,
      actor: Actor,
      input: { reason?: string | null; linked?: ChildrenOnCancel | null } = {},
    ) {
      return transition(runId, actor, 'cancel', (tr) => cancelRun(tr, actor, input));
    },
    acknowledgeStep(runId: string, actor: Actor, input: { stepKey?: string } = {}) {
      return transition(runId, actor, 'acknowledge', (tr) => acknowledgeStep(tr, actor, input));
    },
    /** A person confirms an agent's decision on a gate: it takes effect as the agent's. */
    confirmDecision(runId: string, actor: Actor, input: { stepKey?: string } = {}) {
      return transition(runId, actor, 'confirm', (tr) => {
        const { step, decision: d } = decisionToJudge(tr, actor, input.stepKey);
        confirmDecision(tr, actor, step, d);
        const agent = agentActor(d);
        if (d.decision === 'reject')
          rejectRun(tr, agent, { stepKey: step.key, reason: d.reason ?? '', confirmed: true });
        else
          completeStep(tr, agent, {
            stepKey: step.key,
            output: d.output,
            role: d.role,
            ...(d.facts ? { facts: d.facts } : {}),
            confirmed: true,
          });
      });
    },
    /** A person overrules an agent's decision: the step is the agent's again, with the reason. */
    overruleDecision(runId: string, actor: Actor, input: { stepKey?: string; reason: string }) {
      return transition(runId, actor, 'overrule', (tr) => {
        const { step, decision } = decisionToJudge(tr, actor, input.stepKey);
        overruleDecision(tr, actor, step, decision, input.reason);
      });
    },

    /**
     * Turn a follow-up of an incident's post-mortem into a Bug Fix or New Feature run linked to
     * it (open or closed: the incident's close time, and its MTTR, stay as they are). The same
     * follow-up twice is the run already started (`created` false).
     */
    startFollowUp(incidentId: string, actor: Actor, input: { chain: FollowUpChain; title: string }) {
      return inVerbTransaction(deps, { runId: incidentId, actor, verb: 'follow_up' }, async (repos, now) => {
        const incident = await repos.runs.get(incidentId);
        if (!incident) throw new NotFoundError('run_not_found', `There is no run ${incidentId}.`);
        requireFollowUpStarter(incident, actor);
        if (!input.title.trim()) throw new ValidationError('empty_request', 'Say what the follow-up is.');
        const { run, created, link } = await startLinked(
          { startIn, applyIn },
          repos,
          now,
          incident,
          {
            ...followUpRequest(incident, actor.userId, input),
            ...(viaOf(actor) ? { via: viaOf(actor) } : {}),
          },
          'follow_up',
          { here: 'From its post-mortem', there: `Opened from the post-mortem by ${actor.label}` },
        );
        if (created)
          await applyIn(repos, incidentId, now, (tr) => {
            addLink(tr.run, link);
            tr.event(actor.userId, 'follow_up_started', null, {
              runId: run.id,
              chain: run.chain,
              title: run.title,
            });
            tr.finish();
          });
        return { run, created };
      });
    },

    /** After a role is set: steps handed off while nobody held it go to the new holders. */
    async adoptRoleHolders(actor: Actor, role: string): Promise<string[]> {
      const open = await deps.store.read.runs.list({ open: true });
      const waiting = open.filter((r) => {
        const s = r.steps.find((x) => x.status === 'active' || x.status === 'blocked');
        return s && (s.assignees[role] ?? null)?.length === 0;
      });
      const adopted: string[] = [];
      for (const r of waiting) {
        await deps.store.transaction(async (repos) => {
          const now = deps.clock();
          const run = await repos.runs.get(r.id);
          if (!run) return;
          const tr = new RunTransition(run, await machine(repos, playbookFor(run.chain), now));
          const version = run.version;
          if (adoptRoleHolders(tr, actor.userId, role, tr.deps.holders(role))) {
            await persist(repos, tr, version, now);
            adopted.push(run.id);
          }
        });
      }
      return adopted;
    },

    async getRun(runId: string): Promise<Run> {
      const run = await deps.store.read.runs.get(runId);
      if (!run) throw new NotFoundError('run_not_found', `There is no run ${runId}.`);
      return run;
    },

    /** A run's events log, oldest first (the API shows a run with it, as `runs --json` does). */
    events(runId: string): Promise<RunEvent[]> {
      return deps.store.read.events.forRun(runId);
    },

    /** Open runs: in one channel (oldest first), or all of them newest first (`limit`). */
    /** Open runs, newest first: all of them or one channel's, at most `limit`. */
    openRuns(o: { channelId?: string | null; limit?: number } = {}): Promise<Run[]> {
      return deps.store.read.runs.list({
        open: true,
        newestFirst: true,
        ...(o.channelId ? { channelId: o.channelId } : {}),
        ...(o.limit ? { limit: o.limit } : {}),
      });
    },

    /** The active steps the actor (or a group they belong to) may act on, each with its context. */
    async waitingOn(actor: Actor): Promise<{ run: Run; step: Step; context: StepContext }[]> {
      const items = await deps.store.read.runs.waitingOn(actor.principals);
      const contexts = await stepContexts(deps.store.read, playbookById, items);
      return items.map((item, i) => ({ ...item, context: contexts[i] as StepContext }));
    },

    /** The run whose thread this is (its root message's or its mention's thread), or null. */
    async runInThread(channelId: string, threadTs: string): Promise<Run | null> {
      const here = (r: Run) => r.threadTs === threadTs || r.rootTs === threadTs;
      // The open runs of the channel first (few); a closed run's thread only when none matches.
      const open = await deps.store.read.runs.list({ channelId, open: true });
      return (
        open.find(here) ??
        (await deps.store.read.runs.list({ channelId, newestFirst: true })).find(here) ??
        null
      );
    },

    /** What the owner of one step of a run needs to do it (the current step when left out). */
    async stepContext(runId: string, stepKey?: string): Promise<StepContext> {
      const run = await deps.store.read.runs.get(runId);
      if (!run) throw new NotFoundError('run_not_found', `There is no run ${runId}.`);
      const step = stepKey
        ? run.steps.find((s) => s.key === stepKey)
        : (run.steps.find((s) => s.status === 'active' || s.status === 'blocked') ?? undefined);
      if (!step) {
        throw new NotFoundError(
          'no_such_step',
          stepKey ? `${runId} has no step "${stepKey}".` : `${runId} has no step waiting now.`,
        );
      }
      const [context] = await stepContexts(deps.store.read, playbookById, [{ run, step }]);
      return context as StepContext;
    },
  };
}

export type RunService = ReturnType<typeof createRunService>;
