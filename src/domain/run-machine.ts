// The run state machine, pure: a run's life (start, handoffs, due notifications, completion,
// re-planning when facts change). Each verb's transition is in transitions/ and asks the policy
// (policy.ts) who may act; a transition changes the run in memory and records what happened
// (events) and what the surfaces are owed (notices). The services load, apply one transition
// and save it all in one transaction.
import {
  conditionHolds,
  type PlannedStep,
  planRun,
  REQUESTER_ROLE,
  type RunFacts,
} from '../../routing/plan.ts';
import type { Playbook, StepLink } from '../../routing/playbooks/schema.ts';
import type { RoleDirectory } from '../../routing/roles.ts';
import type { ErrorCode } from '../errors.ts';
import type { ChildrenOnCancel } from './links.ts';
import { type Notice, type Delivery as OutboxDelivery, rootUpdateMessage } from './notices.ts';
import { ownersLeft, refuse, requireOpen, requireStepStatus, stepToActOn } from './policy.ts';
import {
  type Actor,
  CLOSED_RUN_STATUSES,
  type Flag,
  type ReleaseType,
  type RoleMention,
  type Run,
  type RunEntry,
  type RunEvent,
  type RunRequest,
  type RunStatus,
  type Severity,
  type Step,
  type StepSpec,
  SYSTEM_ACTOR,
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
  /** Whether a principal is a user group (told in the thread, never sent a direct message). */
  isGroup: (principal: string) => boolean;
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
  /** Steps handed to a linked run of another chain: the service starts those runs. */
  readonly linkStarts: number[] = [];
  /** A cancel's choice for the children the run waited on, and which they are. */
  linkedOnCancel: { do: ChildrenOnCancel; runs: string[] } | null = null;
  /** The run's status before this transition (a change is told to the runs it links). */
  readonly statusBefore: RunStatus;

  constructor(
    readonly run: Run,
    readonly deps: MachineDeps,
  ) {
    this.statusBefore = run.status;
  }

  get now() {
    return this.deps.now;
  }

  event(actor: string, type: string, step: Step | null, data: Record<string, unknown> = {}) {
    this.events.push({ runId: this.run.id, at: this.now, actor, type, stepKey: step?.key ?? null, data });
  }

  thread(notice: Notice) {
    this.messages.push({ delivery: { kind: 'thread' }, notice });
  }

  touch() {
    this.run.updatedAt = this.now;
  }

  setStep(step: Step, patch: Partial<Step>) {
    Object.assign(step, patch);
    this.changedSteps.add(step.idx);
  }

  get activeStep(): Step | undefined {
    return this.run.steps.find((s) => s.status === 'active' || s.status === 'blocked');
  }

  mentionsFor(step: Step, roles: string[]): RoleMention[] {
    return roles.map((role) => ({ role, principals: step.assignees[role] ?? [] }));
  }

  holdersOf(role: string): string[] {
    return role === REQUESTER_ROLE ? [this.run.requester] : this.deps.holders(role);
  }

  isClosed() {
    return CLOSED_RUN_STATUSES.includes(this.run.status);
  }

  /** Refuse the action (policy.ts): nothing of this transition is kept. */
  refuse(actor: Actor, code: ErrorCode, message: string, step: Step | null): never {
    return refuse(actor, code, message, { runId: this.run.id, stepKey: step?.key ?? null });
  }

  /** The step the action is about (the one given, or the current one) in a state it allows. */
  currentStep(actor: Actor, stepKey: string | undefined, allowed: Step['status'][]): Step {
    requireOpen(this.run, actor);
    const step = stepToActOn(this.run, actor, stepKey);
    requireStepStatus(this.run, step, actor, allowed);
    return step;
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /**
   * Announce a new run: root message, notifications due at start, the first handoff. A run
   * entered at a later step (a linked run) has the steps before it recorded from its parent.
   */
  start(actor: string, entry?: RunEntry) {
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
    if (entry) this.recordBefore(entry);
    this.sendDueNotices('start');
    this.activateNext(actor);
  }

  /** The steps before the entry, recorded as done from the run that started this one. */
  private recordBefore(entry: RunEntry) {
    const at = this.run.steps.findIndex((s) => s.key === entry.stepKey);
    for (const s of this.run.steps.slice(0, Math.max(at, 0))) {
      if (s.status !== 'pending') continue;
      const output = entry.recorded[s.key] ?? `Recorded from ${entry.from}.`;
      this.setStep(s, { status: 'done', output, startedAt: this.now, completedAt: this.now });
      this.event(SYSTEM_ACTOR, 'step_completed', s, {
        before: { status: 'pending' },
        after: { status: 'done' },
        output,
        recordedFrom: entry.from,
      });
    }
  }

  /** The playbook's link of a step, when it applies to the run now (its `when`). */
  linkOf(step: Step): StepLink | null {
    const link = this.deps.playbook.steps.find((s) => s.key === step.key)?.link;
    return link && (!link.when || conditionHolds(link.when, factsOf(this.run))) ? link : null;
  }

  sendDueNotices(due: string | ((at: string) => boolean)) {
    const isDue = typeof due === 'string' ? (at: string) => at === due : due;
    const ctx = this.run.context;
    const sent = new Set(ctx.noticesSent ?? []);
    for (const n of ctx.notices ?? []) {
      if (!isDue(n.at) || sent.has(n.key)) continue;
      sent.add(n.key);
      const mentions = n.roles.map((role) => ({ role, principals: this.holdersOf(role) }));
      const notice: Notice = { type: 'notify', runId: this.run.id, mentions, reason: n.reason, direct: true };
      this.thread(notice);
      for (const user of new Set(
        mentions.flatMap((m) => m.principals).filter((p) => !this.deps.isGroup(p)),
      )) {
        this.messages.push({ delivery: { kind: 'dm', userId: user }, notice });
      }
      this.event('system', 'notified', null, { key: n.key, roles: n.roles, reason: n.reason });
    }
    ctx.noticesSent = [...sent];
  }

  /** Hand the next pending step to its owners, or complete the run when none is left. */
  activateNext(actor: string) {
    const next = this.run.steps.find((s) => s.status === 'pending');
    if (!next) {
      this.complete(actor);
      return;
    }
    const assignees: Record<string, string[]> = {};
    for (const role of [...next.owners, ...next.approvers, ...next.watchers])
      assignees[role] = this.holdersOf(role);
    const link = this.linkOf(next);
    // A step handed to a linked run waits on nobody here: that run's owners are handed its steps.
    this.setStep(next, {
      status: 'active',
      startedAt: this.now,
      assignees: link ? {} : assignees,
      deliveries: {},
    });
    this.event(actor, 'step_activated', next, {
      before: { status: 'pending' },
      after: { status: 'active' },
      owners: next.owners,
      approvers: next.approvers,
      assignees,
      ...(link ? { linkedChain: link.chain } : {}),
    });
    this.sendDueNotices(next.key);
    if (link) {
      // The linked run's owners are handed its steps (and chased by its clocks); this step waits.
      this.linkStarts.push(next.idx);
      return;
    }
    this.activatedSteps.add(next.idx);
    this.handoff(next, next.owners.length > 0 ? 'owners' : 'approval');
  }

  handoff(step: Step, phase: 'owners' | 'approval' | 'reassigned', extraNotes: string[] = []) {
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
      notes: [...step.notes, ...extraNotes],
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

  complete(actor: string) {
    const before = this.run.status;
    this.run.status = 'done';
    this.run.closedAt = this.now;
    this.run.blockedReason = null;
    this.event(actor, 'run_completed', null, { before: { status: before }, after: { status: 'done' } });
    this.thread({ type: 'completed', runId: this.run.id, durationMs: this.now - this.run.createdAt });
  }

  rootUpdate() {
    const { delivery, notice } = rootUpdateMessage(this.run.id);
    this.messages.push({ delivery, notice });
  }

  /** Every transition ends with the root message brought up to date. */
  finish() {
    this.touch();
    this.rootUpdate();
  }

  /** Re-resolve owners and skips of steps not started yet, after the facts changed. */
  replan() {
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
}

export type { Flag };
