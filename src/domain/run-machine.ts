// The run state machine: every transition of a run, pure. A transition checks who acts,
// changes the run in memory and records what happened (events) and what Slack is owed
// (notices). The services load, call one transition and save it all in one transaction.
import { type PlannedStep, planRun, REQUESTER_ROLE, type RunFacts } from '../../routing/plan.ts';
import type { Playbook } from '../../routing/playbooks/schema.ts';
import type { RoleDirectory } from '../../routing/roles.ts';
import { type ErrorCode, RefusedError } from '../errors.ts';
import type { Notice, Delivery as OutboxDelivery, RoleMention } from './notices.ts';
import {
  type Actor,
  CLOSED_RUN_STATUSES,
  type Flag,
  type ReleaseType,
  type Run,
  type RunEvent,
  type RunRequest,
  type Severity,
  type Step,
  type StepSpec,
} from './types.ts';

export interface OutgoingMessage {
  delivery: OutboxDelivery;
  notice: Notice;
}

export interface MachineDeps {
  playbook: Playbook;
  directory: RoleDirectory;
  /** Current holders (user and group IDs) of a role. */
  holders: (role: string) => string[];
  now: number;
}

/** Facts a step's owner may record on completion (Triage: severity and projects, …). */
export interface CollectedFacts {
  severity?: Severity | null;
  projects?: string[];
  releaseType?: ReleaseType | null;
  userDataExposed?: boolean;
  notificationSent?: boolean;
}

export function factsOf(
  run: Pick<Run, 'flags' | 'severity' | 'releaseType' | 'changeType' | 'auditType' | 'projects' | 'context'>,
): RunFacts {
  const requesterRoles = run.context.requesterRoles;
  return {
    flags: run.flags,
    severity: run.severity,
    releaseType: run.releaseType,
    changeType: run.changeType,
    auditType: run.auditType,
    projects: run.projects,
    requesterRoles: Array.isArray(requesterRoles) ? (requesterRoles as string[]) : [],
  };
}

function specOf(p: PlannedStep): StepSpec {
  return {
    output: p.output,
    gate: p.gate,
    collects: [...p.collects],
    required: p.required,
    manualSkip: p.manualSkip,
    ...(p.anyOwner ? { anyOwner: true } : {}),
  };
}

/** Build a new run's steps from its plan. */
export function newRun(
  request: RunRequest,
  ids: { id: string; seq: number },
  deps: Pick<MachineDeps, 'playbook' | 'directory' | 'now'> & {
    /** The roles the requester holds now (the plan's `$requesterTier2`). */
    requesterRoles?: readonly string[];
  },
): Run {
  const requesterRoles = [...(deps.requesterRoles ?? [])];
  const facts: RunFacts = {
    flags: request.flags ?? [],
    severity: request.severity ?? null,
    releaseType: request.releaseType ?? null,
    changeType: request.changeType ?? null,
    auditType: request.auditType ?? null,
    projects: request.projects ?? [],
    requesterRoles,
  };
  const plan = planRun(deps.playbook, facts, deps.directory);
  return {
    id: ids.id,
    chain: deps.playbook.id,
    seq: ids.seq,
    title: request.title,
    requestText: request.text,
    requester: request.requester,
    channelId: request.channelId ?? null,
    threadTs: request.threadTs ?? null,
    rootTs: null,
    source: request.source ?? 'api',
    status: 'active',
    severity: facts.severity,
    releaseType: plan.releaseType,
    changeType: facts.changeType,
    auditType: facts.auditType,
    flags: [...facts.flags],
    projects: [...facts.projects],
    context: {
      ...(request.context ?? {}),
      summary: plan.summary,
      notices: plan.notices,
      noticesSent: [],
      requesterRoles,
    },
    blockedReason: null,
    version: 0,
    createdAt: deps.now,
    updatedAt: deps.now,
    closedAt: null,
    steps: plan.steps.map((p) => ({
      id: null,
      idx: p.idx,
      key: p.key,
      title: p.title,
      owners: p.owners,
      approvers: p.approvers,
      watchers: p.watchers,
      assignees: {},
      deliveries: {},
      spec: specOf(p),
      status: p.skipped ? 'skipped' : 'pending',
      output: null,
      notes: p.notes,
      skipReason: p.skipReason,
      blockReason: null,
      blockedBy: null,
      blockedByRole: null,
      version: 0,
      startedAt: null,
      acknowledgedAt: null,
      completedAt: null,
    })),
  };
}

const mention = (u: string) => (u.startsWith('S') ? `<!subteam^${u}>` : `<@${u}>`);

/** Owner roles that still have to deliver: none once one has, on an any-owner step. */
function ownersLeft(step: Step): string[] {
  if (step.spec.anyOwner && step.owners.some((r) => step.deliveries[r])) return [];
  return step.owners.filter((r) => !step.deliveries[r]);
}

/** The step roles the actor may act for (by the snapshot taken at handoff). */
export function rolesHeld(actor: Actor, step: Step): string[] {
  return [...step.owners, ...step.approvers].filter((role) =>
    (step.assignees[role] ?? []).some((p) => actor.principals.includes(p)),
  );
}

/** The refusal shown to someone who neither holds a role of the step nor is an admin. */
export function notOwnerMessage(step: Step, runId: string, verb: string): string {
  const owners = [...step.owners, ...step.approvers].map((r) => `@${r}`).join(', ');
  return `Only ${owners} or an admin can ${verb} ${step.title} (${runId}).`;
}

/**
 * One transition on one run. Create it on a loaded run, call one verb, then read `events`,
 * `messages` and `changedSteps` to persist.
 */
export class RunTransition {
  readonly events: RunEvent[] = [];
  readonly messages: OutgoingMessage[] = [];
  readonly changedSteps = new Set<number>();
  /** Steps that left the active state (their timers end). */
  readonly endedSteps = new Set<number>();
  /** Steps that became active (their timers start). */
  readonly activatedSteps = new Set<number>();

  constructor(
    readonly run: Run,
    private readonly deps: MachineDeps,
  ) {}

  private get now() {
    return this.deps.now;
  }

  private event(actor: string, type: string, step: Step | null, data: Record<string, unknown> = {}) {
    this.events.push({ runId: this.run.id, at: this.now, actor, type, stepKey: step?.key ?? null, data });
  }

  private thread(notice: Notice) {
    this.messages.push({ delivery: { kind: 'thread' }, notice });
  }

  private touch() {
    this.run.updatedAt = this.now;
  }

  private setStep(step: Step, patch: Partial<Step>) {
    Object.assign(step, patch);
    this.changedSteps.add(step.idx);
  }

  get activeStep(): Step | undefined {
    return this.run.steps.find((s) => s.status === 'active' || s.status === 'blocked');
  }

  private mentionsFor(step: Step, roles: string[]): RoleMention[] {
    return roles.map((role) => ({ role, principals: step.assignees[role] ?? [] }));
  }

  private holdersOf(role: string): string[] {
    return role === REQUESTER_ROLE ? [this.run.requester] : this.deps.holders(role);
  }

  private isClosed() {
    return CLOSED_RUN_STATUSES.includes(this.run.status);
  }

  private refuse(actor: Actor, code: ErrorCode, message: string, step: Step | null): never {
    throw new RefusedError(code, message, {
      runId: this.run.id,
      stepKey: step?.key ?? null,
      actor: actor.userId,
    });
  }

  private requireOpen(actor: Actor) {
    if (this.isClosed()) {
      this.refuse(actor, 'run_closed', `${this.run.id} is already ${this.run.status}.`, null);
    }
  }

  /** The step the action is about: the one given (if still current) or the current one. */
  private currentStep(actor: Actor, stepKey: string | undefined, allowed: Step['status'][]): Step {
    this.requireOpen(actor);
    const step = stepKey ? this.run.steps.find((s) => s.key === stepKey) : this.activeStep;
    if (!step) {
      this.refuse(
        actor,
        'no_such_step',
        stepKey ? `${this.run.id} has no step "${stepKey}".` : `${this.run.id} has no current step.`,
        null,
      );
    }
    if (!allowed.includes(step.status)) {
      const last = Object.values(step.deliveries).at(-1);
      const by = last ? ` by ${mention(last.by)}` : '';
      const what =
        step.status === 'done'
          ? `was already completed${by}`
          : step.status === 'skipped'
            ? 'was skipped'
            : step.status === 'blocked'
              ? 'is blocked'
              : step.status === 'pending'
                ? 'has not started yet'
                : `is ${step.status}`;
      this.refuse(actor, 'step_not_active', `${step.title} (${this.run.id}) ${what}.`, step);
    }
    return step;
  }

  private requireActor(actor: Actor, step: Step, verb: string): string[] {
    const roles = rolesHeld(actor, step);
    if (roles.length === 0 && !actor.isAdmin) {
      this.refuse(actor, 'not_owner', notOwnerMessage(step, this.run.id, verb), step);
    }
    return roles;
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /** Announce a new run: root message, notifications due at start, the first handoff. */
  start(actor: string) {
    this.event(actor, 'run_started', null, {
      after: { status: this.run.status },
      chain: this.run.chain,
      title: this.run.title,
      severity: this.run.severity,
      releaseType: this.run.releaseType,
      flags: this.run.flags,
      projects: this.run.projects,
      steps: this.run.steps.map((s) => ({ key: s.key, owners: s.owners, status: s.status })),
    });
    this.messages.push({ delivery: { kind: 'root' }, notice: { type: 'run_started', runId: this.run.id } });
    for (const s of this.run.steps) {
      if (s.status === 'skipped') {
        this.event(actor, 'step_skipped', s, {
          before: { status: 'pending' },
          after: { status: 'skipped' },
          reason: s.skipReason,
          automatic: true,
        });
      }
    }
    this.sendDueNotices('start');
    this.activateNext(actor);
  }

  private sendDueNotices(due: string | ((at: string) => boolean)) {
    const isDue = typeof due === 'string' ? (at: string) => at === due : due;
    const ctx = this.run.context;
    const sent = new Set(ctx.noticesSent ?? []);
    for (const n of ctx.notices ?? []) {
      if (!isDue(n.at) || sent.has(n.key)) continue;
      sent.add(n.key);
      const mentions = n.roles.map((role) => ({ role, principals: this.holdersOf(role) }));
      const notice: Notice = { type: 'notify', runId: this.run.id, mentions, reason: n.reason, direct: true };
      this.thread(notice);
      for (const user of new Set(mentions.flatMap((m) => m.principals).filter((p) => !p.startsWith('S')))) {
        this.messages.push({ delivery: { kind: 'dm', userId: user }, notice });
      }
      this.event('system', 'notified', null, { key: n.key, roles: n.roles, reason: n.reason });
    }
    ctx.noticesSent = [...sent];
  }

  /** Hand the next pending step to its owners, or complete the run when none is left. */
  private activateNext(actor: string) {
    const next = this.run.steps.find((s) => s.status === 'pending');
    if (!next) {
      this.complete(actor);
      return;
    }
    const assignees: Record<string, string[]> = {};
    for (const role of [...next.owners, ...next.approvers, ...next.watchers])
      assignees[role] = this.holdersOf(role);
    this.setStep(next, { status: 'active', startedAt: this.now, assignees, deliveries: {} });
    this.activatedSteps.add(next.idx);
    this.event(actor, 'step_activated', next, {
      before: { status: 'pending' },
      after: { status: 'active' },
      owners: next.owners,
      approvers: next.approvers,
      assignees,
    });
    this.sendDueNotices(next.key);
    this.handoff(next, next.owners.length > 0 ? 'owners' : 'approval');
  }

  private handoff(step: Step, phase: 'owners' | 'approval' | 'reassigned') {
    const roles = phase === 'approval' ? step.approvers : this.pendingRoles(step);
    const mentions = this.mentionsFor(step, roles);
    this.thread({
      type: 'handoff',
      runId: this.run.id,
      stepKey: step.key,
      stepTitle: step.title,
      position: step.idx + 1,
      total: this.run.steps.length,
      mentions,
      watchers: this.mentionsFor(step, step.watchers),
      phase,
      output: step.spec.output,
      gate: step.spec.gate,
      notes: step.notes,
      unheld: mentions.filter((m) => m.principals.length === 0).map((m) => m.role),
      canSkip: step.spec.manualSkip && !step.spec.required,
    });
  }

  /** Roles that still have to deliver: owners first, then approvers. */
  pendingRoles(step: Step): string[] {
    const owners = ownersLeft(step);
    if (owners.length > 0) return owners;
    return step.approvers.filter((r) => !step.deliveries[r]);
  }

  private complete(actor: string) {
    const before = this.run.status;
    this.run.status = 'done';
    this.run.closedAt = this.now;
    this.run.blockedReason = null;
    this.event(actor, 'run_completed', null, { before: { status: before }, after: { status: 'done' } });
    this.thread({ type: 'completed', runId: this.run.id, durationMs: this.now - this.run.createdAt });
  }

  private rootUpdate() {
    this.messages.push({
      delivery: { kind: 'root_update' },
      notice: { type: 'root_update', runId: this.run.id },
    });
  }

  /** Every transition ends with the root message brought up to date. */
  finish() {
    this.touch();
    this.rootUpdate();
  }

  // ---- transitions ------------------------------------------------------------------------

  /**
   * Record the actor's part of the step. On a gated step it means the gate passed. A step with
   * several owners completes when each has delivered; approvers confirm after the owners.
   */
  completeStep(
    actor: Actor,
    input: { stepKey?: string; output?: string | null; role?: string; facts?: CollectedFacts },
  ) {
    const step = this.currentStep(actor, input.stepKey, ['active']);
    const held = this.requireActor(actor, step, 'complete');
    const pending = this.pendingRoles(step);
    const ownersPending = ownersLeft(step).length > 0;
    let role: string | undefined;
    if (input.role) {
      role =
        pending.includes(input.role) && (held.includes(input.role) || actor.isAdmin) ? input.role : undefined;
    } else {
      role = pending.find((r) => held.includes(r)) ?? (actor.isAdmin ? pending[0] : undefined);
    }
    if (!role) {
      const mine = held.filter((r) => step.deliveries[r]);
      if (mine.length > 0) {
        const waiting = pending.map((r) => `@${r}`).join(', ');
        this.refuse(
          actor,
          'already_delivered',
          `You already recorded your part of ${step.title} (${this.run.id}); waiting on ${waiting}.`,
          step,
        );
      }
      if (ownersPending && held.some((r) => step.approvers.includes(r))) {
        const waiting = pending.map((r) => `@${r}`).join(', ');
        this.refuse(
          actor,
          'awaiting_owners',
          `${step.title} (${this.run.id}) needs ${waiting} before approval.`,
          step,
        );
      }
      this.refuse(
        actor,
        'not_owner',
        `You cannot complete ${step.title} (${this.run.id}) for that role.`,
        step,
      );
    }
    const output = input.output?.trim() ? input.output.trim() : null;
    const deliveries = { ...step.deliveries, [role]: { by: actor.userId, output, at: this.now } };
    this.setStep(step, { deliveries });
    if (input.facts) this.applyFacts(actor.userId, step, input.facts);
    const stillPending = this.pendingRoles(step);
    if (stillPending.length > 0) {
      this.event(actor.userId, 'step_delivered', step, { role, output, waitingOn: stillPending });
      this.thread({
        type: 'delivered',
        runId: this.run.id,
        stepKey: step.key,
        stepTitle: step.title,
        by: actor.userId,
        role,
        output,
        waitingOn: stillPending,
      });
      if (ownersPending && ownersLeft(step).length === 0 && step.approvers.length > 0) {
        this.handoff(step, 'approval');
      }
      this.finish();
      return;
    }
    const parts = Object.entries(deliveries).filter(([, d]) => d.output);
    const combined =
      parts.length === 0
        ? null
        : parts.length === 1
          ? parts[0]![1].output
          : parts.map(([r, d]) => `${r}: ${d.output}`).join('\n');
    this.setStep(step, { status: 'done', output: combined, completedAt: this.now });
    this.endedSteps.add(step.idx);
    this.event(actor.userId, 'step_completed', step, {
      before: { status: 'active' },
      after: { status: 'done' },
      role,
      output: combined,
      gate: step.spec.gate ? { check: step.spec.gate.check, passed: true } : null,
    });
    this.thread({
      type: 'step_done',
      runId: this.run.id,
      stepKey: step.key,
      stepTitle: step.title,
      by: actor.userId,
      output: combined,
      gatePassed: step.spec.gate?.check ?? null,
    });
    this.activateNext(actor.userId);
    this.finish();
  }

  /** Record facts a step collects and re-plan the steps not yet started. */
  private applyFacts(actor: string, step: Step, facts: CollectedFacts) {
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const allowed = new Set(step.spec.collects);
    if (facts.severity !== undefined && allowed.has('severity') && facts.severity !== this.run.severity) {
      changes.severity = { from: this.run.severity, to: facts.severity };
      this.run.severity = facts.severity;
    }
    if (facts.projects !== undefined && allowed.has('projects')) {
      const next = [...new Set(facts.projects)];
      if (next.join(',') !== this.run.projects.join(',')) {
        changes.projects = { from: this.run.projects, to: next };
        this.run.projects = next;
      }
    }
    if (
      facts.releaseType !== undefined &&
      allowed.has('release_type') &&
      facts.releaseType !== this.run.releaseType
    ) {
      changes.releaseType = { from: this.run.releaseType, to: facts.releaseType };
      this.run.releaseType = facts.releaseType;
    }
    if (facts.userDataExposed !== undefined && allowed.has('user_data_exposed')) {
      changes.userDataExposed = { from: this.run.context.userDataExposed ?? null, to: facts.userDataExposed };
      this.run.context.userDataExposed = facts.userDataExposed;
      if (facts.userDataExposed && !this.run.flags.includes('user_data'))
        this.run.flags = [...this.run.flags, 'user_data'];
    }
    if (facts.notificationSent !== undefined && allowed.has('notification_sent')) {
      changes.notificationSent = {
        from: this.run.context.notificationSent ?? null,
        to: facts.notificationSent,
      };
      this.run.context.notificationSent = facts.notificationSent;
    }
    if (Object.keys(changes).length === 0) return;
    this.event(actor, 'context_changed', step, { changes });
    this.thread({ type: 'context_changed', runId: this.run.id, by: actor, changes });
    this.replan();
  }

  /** Re-resolve owners and skips of steps not started yet, after the facts changed. */
  private replan() {
    const plan = planRun(this.deps.playbook, factsOf(this.run), this.deps.directory);
    this.run.releaseType = plan.releaseType;
    for (const p of plan.steps) {
      const step = this.run.steps[p.idx];
      // Only steps not started yet; a step skipped by hand carries completedAt and stays skipped.
      const autoSkipped = step?.status === 'skipped' && step.completedAt === null;
      if (!step || (step.status !== 'pending' && !autoSkipped)) continue;
      const status = p.skipped ? 'skipped' : 'pending';
      if (status !== step.status) {
        this.event('system', status === 'skipped' ? 'step_skipped' : 'step_restored', step, {
          before: { status: step.status },
          after: { status },
          reason: p.skipReason,
          automatic: true,
        });
      }
      this.setStep(step, {
        owners: p.owners,
        approvers: p.approvers,
        watchers: p.watchers,
        notes: p.notes,
        spec: specOf(p),
        status,
        skipReason: p.skipReason,
      });
    }
    this.run.context.summary = plan.summary;
    this.run.context.notices = plan.notices;
    // Notifications a re-plan makes applicable whose moment has passed are due now.
    const reached = new Set([
      'start',
      ...this.run.steps.filter((s) => s.startedAt !== null).map((s) => s.key),
    ]);
    this.sendDueNotices((at) => reached.has(at));
  }

  /**
   * Block the run with a reason. On a gated step the blocker says which it is: the gate failed
   * (the default, as the contract has it), or the step is waiting on something and the gate is
   * not judged yet (`waiting`).
   */
  blockStep(actor: Actor, input: { stepKey?: string; reason: string; waiting?: boolean }) {
    const reason = input.reason.trim();
    const step = this.currentStep(actor, input.stepKey, ['active']);
    const held = this.requireActor(actor, step, 'block');
    if (!reason) this.refuse(actor, 'reason_required', 'A block needs a reason.', step);
    const role = held.find((r) => this.deps.directory.isIndependent(r)) ?? held[0] ?? null;
    const runBefore = this.run.status;
    this.setStep(step, {
      status: 'blocked',
      blockReason: reason,
      blockedBy: actor.userId,
      blockedByRole: role,
    });
    this.run.status = 'blocked';
    this.run.blockedReason = reason;
    const gate = step.spec.gate?.canBlock ? step.spec.gate.check : null;
    const gateFailed = gate && !input.waiting ? gate : null;
    const gatePending = gate && input.waiting ? gate : null;
    this.event(actor.userId, gateFailed ? 'gate_failed' : 'step_blocked', step, {
      before: { status: 'active', run: runBefore },
      after: { status: 'blocked', run: 'blocked' },
      reason,
      role,
      gate: gateFailed,
      ...(gatePending ? { waiting: true, gatePending } : {}),
    });
    const independent = this.deps.directory.isIndependent(role);
    this.thread({
      type: 'blocked',
      runId: this.run.id,
      stepKey: step.key,
      stepTitle: step.title,
      by: actor.userId,
      role,
      reason,
      gateFailed,
      gatePending,
      liftedBy: independent
        ? `only @${role}, or @${this.deps.directory.riskAcceptor} accepting the risk with a written rationale`
        : `an owner of ${step.title} or an admin`,
    });
    this.finish();
  }

  /**
   * Lift a block. The independence rule: a block raised by an independent role (Privacy) is
   * lifted only by that role, or by the risk acceptor (Ghabs) with a written rationale.
   */
  unblockStep(actor: Actor, input: { stepKey?: string; rationale?: string | null }) {
    const step = this.currentStep(actor, input.stepKey, ['blocked']);
    const rationale = input.rationale?.trim() || null;
    let riskAccepted = false;
    if (this.deps.directory.isIndependent(step.blockedByRole)) {
      const role = step.blockedByRole!;
      const holdsRole = this.deps.holders(role).some((p) => actor.principals.includes(p));
      const acceptor = this.deps.directory.riskAcceptor;
      const isAcceptor = this.deps.holders(acceptor).some((p) => actor.principals.includes(p));
      if (!holdsRole) {
        if (!isAcceptor) {
          this.refuse(
            actor,
            'independence_rule',
            `This block was raised by @${role}: only @${role} can lift it, or @${acceptor} accepting the risk with a written rationale.`,
            step,
          );
        }
        if (!rationale) {
          this.refuse(
            actor,
            'rationale_required',
            `To accept the risk on a @${role} block, write the rationale.`,
            step,
          );
        }
        riskAccepted = true;
      }
    } else {
      this.requireActor(actor, step, 'unblock');
    }
    const before = {
      status: step.status,
      reason: step.blockReason,
      by: step.blockedBy,
      role: step.blockedByRole,
    };
    this.setStep(step, { status: 'active', blockReason: null, blockedBy: null, blockedByRole: null });
    this.run.status = 'active';
    this.run.blockedReason = null;
    this.event(actor.userId, riskAccepted ? 'risk_accepted' : 'step_unblocked', step, {
      before,
      after: { status: 'active', run: 'active' },
      rationale,
    });
    this.thread({
      type: 'unblocked',
      runId: this.run.id,
      stepKey: step.key,
      stepTitle: step.title,
      by: actor.userId,
      rationale,
      riskAccepted,
    });
    this.finish();
  }

  /** Reject the run at a gate that can reject it (e.g. Technical Feasibility). */
  rejectRun(actor: Actor, input: { stepKey?: string; reason: string }) {
    const step = this.currentStep(actor, input.stepKey, ['active', 'blocked']);
    this.requireActor(actor, step, 'reject');
    if (!step.spec.gate?.canReject) {
      this.refuse(
        actor,
        'cannot_reject',
        `${step.title} cannot reject the run; block it with a reason instead.`,
        step,
      );
    }
    const reason = input.reason.trim();
    if (!reason) this.refuse(actor, 'reason_required', 'A rejection needs a reason.', step);
    const before = { status: step.status, run: this.run.status };
    this.setStep(step, { status: 'rejected', completedAt: this.now, output: reason });
    this.endedSteps.add(step.idx);
    this.run.status = 'rejected';
    this.run.closedAt = this.now;
    this.event(actor.userId, 'run_rejected', step, {
      before,
      after: { status: 'rejected', run: 'rejected' },
      reason,
      gate: step.spec.gate.check,
    });
    this.thread({
      type: 'rejected',
      runId: this.run.id,
      stepKey: step.key,
      stepTitle: step.title,
      by: actor.userId,
      reason,
    });
    this.finish();
  }

  /** Hand the step (one of its roles) to other users or groups. */
  reassignStep(actor: Actor, input: { stepKey?: string; to: string[]; role?: string }) {
    const step = this.currentStep(actor, input.stepKey, ['active', 'blocked']);
    const held = this.requireActor(actor, step, 'reassign');
    const to = [...new Set(input.to)];
    if (to.length === 0) this.refuse(actor, 'assignee_required', 'Choose who takes the step over.', step);
    const pending = this.pendingRoles(step);
    const role = input.role
      ? [...step.owners, ...step.approvers].find((r) => r.toLowerCase() === input.role!.toLowerCase())
      : (pending.find((r) => held.includes(r)) ?? held[0] ?? pending[0]);
    if (!role) this.refuse(actor, 'no_such_role', `${step.title} has no role "${input.role}".`, step);
    if (!actor.isAdmin && !held.includes(role)) {
      this.refuse(
        actor,
        'not_owner',
        `Only @${role} or an admin can reassign that part of ${step.title}.`,
        step,
      );
    }
    const from = step.assignees[role] ?? [];
    this.setStep(step, { assignees: { ...step.assignees, [role]: to }, acknowledgedAt: null });
    this.event(actor.userId, 'step_reassigned', step, {
      role,
      before: { assignees: from },
      after: { assignees: to },
    });
    this.thread({
      type: 'reassigned',
      runId: this.run.id,
      stepKey: step.key,
      stepTitle: step.title,
      by: actor.userId,
      role,
      from,
      to,
    });
    if (step.status === 'active') this.handoff(step, 'reassigned');
    this.activatedSteps.add(step.idx);
    this.finish();
  }

  /** Skip a step by hand, only where the playbook allows it, with a reason. */
  skipStep(actor: Actor, input: { stepKey?: string; reason: string }) {
    const step = this.currentStep(actor, input.stepKey, ['active', 'pending']);
    if (step.status === 'active') this.requireActor(actor, step, 'skip');
    else if (!actor.isAdmin)
      this.refuse(actor, 'not_owner', `Only an admin can skip a step that has not started.`, step);
    if (step.spec.required) {
      this.refuse(
        actor,
        'step_required',
        `${step.title} is mandatory for ${this.run.id} and cannot be skipped.`,
        step,
      );
    }
    if (!step.spec.manualSkip) {
      this.refuse(
        actor,
        'skip_not_allowed',
        `The ${this.deps.playbook.title} playbook does not allow skipping ${step.title}.`,
        step,
      );
    }
    const reason = input.reason.trim();
    if (!reason) this.refuse(actor, 'reason_required', 'Skipping a step needs a reason.', step);
    const wasActive = step.status === 'active';
    this.setStep(step, {
      status: 'skipped',
      skipReason: `Skipped by ${mention(actor.userId)}: ${reason}`,
      completedAt: this.now,
    });
    if (wasActive) this.endedSteps.add(step.idx);
    this.event(actor.userId, 'step_skipped', step, {
      before: { status: wasActive ? 'active' : 'pending' },
      after: { status: 'skipped' },
      reason,
      automatic: false,
    });
    this.thread({
      type: 'skipped',
      runId: this.run.id,
      stepKey: step.key,
      stepTitle: step.title,
      by: actor.userId,
      reason,
    });
    if (wasActive) this.activateNext(actor.userId);
    this.finish();
  }

  /** Cancel the run: its requester or an admin. */
  cancelRun(actor: Actor, input: { reason?: string | null }) {
    this.requireOpen(actor);
    if (!actor.isAdmin && actor.userId !== this.run.requester) {
      this.refuse(
        actor,
        'not_allowed',
        `Only the requester (${mention(this.run.requester)}) or an admin can cancel ${this.run.id}.`,
        null,
      );
    }
    const step = this.activeStep;
    if (step) this.endedSteps.add(step.idx);
    const before = this.run.status;
    this.run.status = 'cancelled';
    this.run.closedAt = this.now;
    const reason = input.reason?.trim() || null;
    this.event(actor.userId, 'run_cancelled', step ?? null, {
      before: { status: before },
      after: { status: 'cancelled' },
      reason,
    });
    this.thread({ type: 'cancelled', runId: this.run.id, by: actor.userId, reason });
    this.finish();
  }

  /**
   * A role nobody held at handoff is now held: its new holders take that part of the current
   * step, and are told. Returns false when the run has no such step.
   */
  adoptRoleHolders(actor: string, role: string, holders: string[]): boolean {
    const step = this.activeStep;
    if (!step || this.isClosed()) return false;
    const roles = [...step.owners, ...step.approvers, ...step.watchers];
    if (!roles.includes(role) || (step.assignees[role] ?? []).length > 0 || holders.length === 0)
      return false;
    this.setStep(step, { assignees: { ...step.assignees, [role]: [...holders] } });
    this.event(actor, 'step_reassigned', step, {
      role,
      before: { assignees: [] },
      after: { assignees: holders },
      reason: 'role_set',
    });
    if (step.status === 'active' && !step.watchers.includes(role)) this.handoff(step, 'reassigned');
    this.activatedSteps.add(step.idx);
    this.finish();
    return true;
  }

  /** An owner acknowledges the handoff (stops the acknowledgement clock). */
  acknowledgeStep(actor: Actor, input: { stepKey?: string }) {
    const step = this.currentStep(actor, input.stepKey, ['active', 'blocked']);
    this.requireActor(actor, step, 'acknowledge');
    if (step.acknowledgedAt !== null) {
      this.refuse(
        actor,
        'already_acknowledged',
        `${step.title} (${this.run.id}) was already acknowledged.`,
        step,
      );
    }
    this.setStep(step, { acknowledgedAt: this.now });
    this.event(actor.userId, 'step_acknowledged', step, {
      before: { acknowledged: false },
      after: { acknowledged: true },
    });
    this.finish();
  }
}

export type { Flag };
