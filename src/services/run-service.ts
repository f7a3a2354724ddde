// The run verbs: start a run and every transition on it. Each verb authorizes, applies one
// transition of the state machine and saves the run, its events and its outbox messages in one
// transaction. A refused action changes nothing and is recorded as a `refused` event.
import type { Playbook } from '../../routing/playbooks/schema.ts';
import type { RoleDirectory } from '../../routing/roles.ts';
import type { Notice, ReplyPlace } from '../domain/notices.ts';
import { type CollectedFacts, newRun, RunTransition } from '../domain/run-machine.ts';
import { type Actor, CLOSED_RUN_STATUSES, type Run, type RunRequest, type Step } from '../domain/types.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Repositories, Store } from '../persistence/store.ts';
import { actorFor, inVerbTransaction, roleHolders } from './verb-transaction.ts';

export type Clock = () => number;

/** Called inside the transaction after each transition (clocks schedule and cancel timers). */
export interface TransitionHook {
  afterTransition(repos: Repositories, transition: RunTransition, now: number): Promise<void>;
}

export interface RunServiceDeps {
  store: Store;
  playbooks: Playbook[];
  directory: RoleDirectory;
  clock: Clock;
  adminUserIds: ReadonlySet<string>;
  hooks?: TransitionHook[];
}

export interface StartResult {
  run: Run;
  /** False when the request repeated one already handled (same Slack delivery). */
  created: boolean;
}

/** Ends the timers of steps that are no longer active, and all of a closed run's step timers. */
const endTimers: TransitionHook = {
  async afterTransition(repos, tr) {
    for (const idx of tr.endedSteps) {
      const id = tr.run.steps[idx]?.id;
      if (id != null) await repos.timers.cancelForStep(id);
    }
    for (const idx of tr.activatedSteps) {
      // A reassignment restarts the clocks of the step; a new activation has none yet.
      const id = tr.run.steps[idx]?.id;
      if (id != null) await repos.timers.cancelForStep(id);
    }
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

export function createRunService(deps: RunServiceDeps) {
  const playbookById = new Map(deps.playbooks.map((p) => [p.id, p]));
  const hooks = [endTimers, ...(deps.hooks ?? [])];

  function playbookFor(chain: string): Playbook {
    const p = playbookById.get(chain);
    if (!p) throw new NotFoundError('unknown_chain', `There is no chain "${chain}".`);
    return p;
  }

  async function persist(repos: Repositories, tr: RunTransition, expectedVersion: number, now: number) {
    await repos.runs.save(tr.run, tr.changedSteps, expectedVersion);
    await repos.events.append(tr.events);
    await repos.outbox.enqueue(
      tr.messages.map((m) => ({ runId: tr.run.id, delivery: m.delivery, notice: m.notice })),
      now,
    );
    for (const hook of hooks) await hook.afterTransition(repos, tr, now);
  }

  /** Apply one transition to a run, as one verb (see verb-transaction.ts). */
  function transition(
    runId: string,
    userId: string,
    verb: string,
    apply: (tr: RunTransition, actor: Actor) => void,
  ): Promise<Run> {
    return inVerbTransaction(deps, { runId, userId, verb }, async (repos, actor, now) => {
      const run = await repos.runs.get(runId);
      if (!run) throw new NotFoundError('run_not_found', `There is no run ${runId}.`);
      const tr = new RunTransition(run, {
        playbook: playbookFor(run.chain),
        directory: deps.directory,
        holders: await roleHolders(repos, deps.directory),
        now,
      });
      const version = run.version;
      apply(tr, actor);
      await persist(repos, tr, version, now);
      return tr.run;
    });
  }

  return {
    playbooks: deps.playbooks,
    playbookFor,

    /** Start a run. Repeated Slack deliveries (same idempotency keys) return the first run. */
    async startRun(request: RunRequest): Promise<StartResult> {
      const playbook = playbookFor(request.chain);
      const title = request.title.trim();
      if (!title) throw new ValidationError('empty_request', 'Say what the request is about.');
      if (!/^[UWB][A-Z0-9]+$|^system$/.test(request.requester)) {
        throw new ValidationError('bad_requester', `"${request.requester}" is not a Slack user ID.`);
      }
      const keys = request.idempotencyKeys ?? [];
      return deps.store.transaction(async (repos) => {
        const now = deps.clock();
        const seen = await repos.idempotency.seen(keys);
        if (seen?.runId) {
          const existing = await repos.runs.get(seen.runId);
          if (existing) return { run: existing, created: false };
        }
        const seq = await repos.runs.nextSeq(playbook.prefix);
        const holders = await roleHolders(repos, deps.directory);
        // The roles the requester holds, as a user or through a user group (`$requesterTier2`).
        const { principals } = await actorFor(repos, request.requester, deps.adminUserIds);
        const requesterRoles = deps.directory.names.filter((role) =>
          holders(role).some((p) => principals.includes(p)),
        );
        const run = newRun(
          { ...request, title },
          { id: `${playbook.prefix}-${seq}`, seq },
          { playbook, directory: deps.directory, now, requesterRoles },
        );
        await repos.runs.insert(run);
        const tr = new RunTransition(run, { playbook, directory: deps.directory, holders, now });
        tr.start(request.requester);
        await persist(repos, tr, run.version, now);
        if (request.replyIn) await repos.outbox.enqueue([declaredReply(tr.run, request.replyIn)], now);
        await repos.idempotency.record(keys, run.id, now);
        return { run: tr.run, created: true };
      });
    },

    completeStep(
      runId: string,
      userId: string,
      input: { stepKey?: string; output?: string | null; role?: string; facts?: CollectedFacts } = {},
    ) {
      return transition(runId, userId, 'complete', (tr, actor) => tr.completeStep(actor, input));
    },
    blockStep(runId: string, userId: string, input: { stepKey?: string; reason: string; waiting?: boolean }) {
      return transition(runId, userId, 'block', (tr, actor) => tr.blockStep(actor, input));
    },
    unblockStep(runId: string, userId: string, input: { stepKey?: string; rationale?: string | null } = {}) {
      return transition(runId, userId, 'unblock', (tr, actor) => tr.unblockStep(actor, input));
    },
    rejectRun(runId: string, userId: string, input: { stepKey?: string; reason: string }) {
      return transition(runId, userId, 'reject', (tr, actor) => tr.rejectRun(actor, input));
    },
    reassignStep(runId: string, userId: string, input: { stepKey?: string; to: string[]; role?: string }) {
      return transition(runId, userId, 'reassign', (tr, actor) => tr.reassignStep(actor, input));
    },
    skipStep(runId: string, userId: string, input: { stepKey?: string; reason: string }) {
      return transition(runId, userId, 'skip', (tr, actor) => tr.skipStep(actor, input));
    },
    cancelRun(runId: string, userId: string, input: { reason?: string | null } = {}) {
      return transition(runId, userId, 'cancel', (tr, actor) => tr.cancelRun(actor, input));
    },
    acknowledgeStep(runId: string, userId: string, input: { stepKey?: string } = {}) {
      return transition(runId, userId, 'acknowledge', (tr, actor) => tr.acknowledgeStep(actor, input));
    },

    /** After a role is set: steps handed off while nobody held it go to the new holders. */
    async adoptRoleHolders(userId: string, role: string): Promise<string[]> {
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
          const holders = await roleHolders(repos, deps.directory);
          const tr = new RunTransition(run, {
            playbook: playbookFor(run.chain),
            directory: deps.directory,
            holders,
            now,
          });
          const version = run.version;
          if (tr.adoptRoleHolders(userId, role, holders(role))) {
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

    async openRunsInChannel(channelId: string): Promise<Run[]> {
      return deps.store.read.runs.list({ open: true, channelId });
    },

    /** The active steps this user (or a group they belong to) may act on. */
    async waitingOn(userId: string): Promise<{ run: Run; step: Step }[]> {
      const groups = await deps.store.read.usergroups.groupsOf(userId);
      return deps.store.read.runs.waitingOn([userId, ...groups]);
    },

    actorFor: (userId: string) => actorFor(deps.store.read, userId, deps.adminUserIds),
  };
}

export type RunService = ReturnType<typeof createRunService>;
