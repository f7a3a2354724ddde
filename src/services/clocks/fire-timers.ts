// Firing due timers: claim them (compare-and-set), then, in the same transaction, record each
// firing in the events log and enqueue what Slack is owed: reminders to the step's owners,
// escalations to the next tier up, GDPR reminders to Privacy and Ghabs. A timer whose reason
// is gone (step done, acknowledged, notification recorded) is recorded as fired and skipped.
import { REQUESTER_ROLE } from '../../../routing/plan.ts';
import type { RoleDirectory } from '../../../routing/roles.ts';
import { PRINCIPALS, type Principals } from '../../core/principals.ts';
import type { EscalationNotice, Lateness, ReminderNotice } from '../../domain/clock-notices.ts';
import { type Delivery, type Notice, rootUpdateMessage } from '../../domain/notices.ts';
import { CLOSED_RUN_STATUSES, type RoleMention, type RunEvent, SYSTEM_ACTOR } from '../../domain/types.ts';
import type { NewTimer, Repositories, TimerRow, TimerRunView } from '../../persistence/ports.ts';
import { roleHolders } from '../verb-transaction.ts';
import { escalationTarget, unheldTiers } from './escalation.ts';
import { GDPR_OVERDUE_EVERY_MS, type GdprClock, gdprNotice } from './gdpr-clock.ts';
import { ACK_KINDS, DUE_KINDS, ESCALATION_KINDS, REMINDER_KINDS, TIMER } from './timer-kinds.ts';

/** A timer counts as late when it fires more than this after it was due. */
export const LATE_AFTER_MS = 60_000;

export interface FiredTimer {
  timerId: number;
  runId: string;
  stepKey: string | null;
  kind: string;
  dueAt: number;
  firedAt: number;
  late: boolean;
  lateByMs: number;
  /** Why nothing was sent, when the timer's reason was gone. */
  skipped: string | null;
  /** Escalations: the roles escalated to. */
  escalatedTo?: string[];
  /** Escalations whose path held nobody: the admins told instead. */
  adminsTold?: string[];
}

export interface FireContext {
  directory: RoleDirectory;
  worker: string;
  now: number;
  /** ADMIN_USER_IDS: told when an escalation path holds nobody. */
  adminUserIds?: readonly string[];
  lateAfterMs?: number;
  /** How principal IDs are told apart (default: src/core/principals.ts). */
  principals?: Principals;
  /** What else the notices owe, in the same transaction (webhook events: step.reminded, …). */
  onNotices?: (repos: Repositories, notices: Notice[], now: number) => Promise<void>;
}

type Outgoing = { runId: string | null; delivery: Delivery; notice: Notice };

/** Claim up to `limit` due timers and fire them. Call inside one store transaction. */
export async function fireDueTimers(
  repos: Repositories,
  ctx: FireContext,
  limit: number,
): Promise<FiredTimer[]> {
  const timers = await repos.clock.claimDueTimers(ctx.now, limit, ctx.worker);
  if (timers.length === 0) return [];
  const { now, directory } = ctx;
  const principals = ctx.principals ?? PRINCIPALS;
  /** The people among those mentioned: each is sent a direct message (a group is not). */
  const userIds = (mentions: RoleMention[]) => [
    ...new Set(mentions.flatMap((m) => m.principals).filter((p) => !principals.isGroup(p))),
  ];
  const lateAfter = ctx.lateAfterMs ?? LATE_AFTER_MS;
  const views = await repos.clock.timerRuns(timers.map((t) => t.runId));
  const roleHoldersOf = await roleHolders(repos, directory);
  const escalations = timers.filter((t) => ESCALATION_KINDS.includes(t.kind as never) && t.stepId !== null);
  const prior = await repos.clock.firedCount(
    escalations.map((t) => t.stepId!),
    ESCALATION_KINDS,
    timers.map((t) => t.id),
  );
  const inBatch = new Map<number, number>();

  const fired: FiredTimer[] = [];
  const events: RunEvent[] = [];
  const outgoing: Outgoing[] = [];
  const followUps: NewTimer[] = [];
  const rootUpdates = new Set<string>();

  for (const timer of timers) {
    const lateByMs = Math.max(0, now - timer.dueAt);
    const result: FiredTimer = {
      timerId: timer.id,
      runId: timer.runId,
      stepKey: null,
      kind: timer.kind,
      dueAt: timer.dueAt,
      firedAt: now,
      late: lateByMs > lateAfter,
      lateByMs,
      skipped: null,
    };
    const lateness = { dueAt: timer.dueAt, firedAt: now, late: result.late, lateByMs };
    const view = views.get(timer.runId);
    const holdersOf = (role: string) =>
      role === REQUESTER_ROLE && view ? [view.run.requester] : roleHoldersOf(role);

    if (!view) result.skipped = 'run_missing';
    else if (timer.kind === TIMER.gdpr) fireGdpr(timer, view, result, lateness);
    else fireStep(timer, view, result, lateness, holdersOf);

    fired.push(result);
    events.push({
      runId: timer.runId,
      at: now,
      actor: SYSTEM_ACTOR,
      type: 'timer_fired',
      stepKey: result.stepKey,
      data: {
        timerId: timer.id,
        kind: timer.kind,
        ...(timer.data.mark ? { mark: timer.data.mark } : {}),
        dueAt: timer.dueAt,
        firedAt: now,
        late: result.late,
        ...(result.late ? { lateByMs } : {}),
        worker: ctx.worker,
        ...(result.skipped ? { skipped: result.skipped } : {}),
        ...(result.escalatedTo ? { escalatedTo: result.escalatedTo } : {}),
        ...(result.adminsTold ? { adminsTold: result.adminsTold } : {}),
      },
    });
  }

  function fireStep(
    timer: TimerRow,
    view: TimerRunView,
    result: FiredTimer,
    lateness: Lateness,
    holdersOf: (role: string) => string[],
  ) {
    const step = timer.stepId === null ? undefined : view.steps.get(timer.stepId);
    if (step) result.stepKey = step.key;
    if (CLOSED_RUN_STATUSES.includes(view.run.status) || !step) {
      result.skipped = 'step_not_open';
      return;
    }
    const ack = ACK_KINDS.includes(timer.kind as never);
    if (ack && step.acknowledgedAt !== null) {
      result.skipped = 'acknowledged';
      return;
    }
    if (DUE_KINDS.includes(timer.kind as never)) return; // silent: the step now counts as overdue
    const ownersLeft = step.owners.filter((r) => !step.deliveries[r]);
    const roles = ownersLeft.length > 0 ? ownersLeft : step.approvers.filter((r) => !step.deliveries[r]);
    const owners: RoleMention[] = roles.map((role) => ({ role, principals: step.assignees[role] ?? [] }));
    const base = {
      runId: view.run.id,
      runTitle: view.run.title,
      stepKey: step.key,
      stepTitle: step.title,
      phase: ack ? ('ack' as const) : ('done' as const),
      owners,
      startedAt: step.startedAt,
      deadlineAt: (timer.data.deadlineAt as number | null | undefined) ?? null,
      regime: String(timer.data.label ?? ''),
      blockedReason: step.status === 'blocked' ? step.blockReason : null,
      ...lateness,
    };
    if (REMINDER_KINDS.includes(timer.kind as never)) {
      const notice: ReminderNotice = { type: 'reminder', ...base };
      outgoing.push({ runId: view.run.id, delivery: { kind: 'thread' }, notice });
      return;
    }
    // Escalation: the n-th one of this step goes one tier further up.
    const stepId = timer.stepId!;
    const n = (prior.get(stepId) ?? 0) + (inBatch.get(stepId) ?? 0);
    inBatch.set(stepId, (inBatch.get(stepId) ?? 0) + 1);
    const escalatedTo: EscalationNotice['escalatedTo'] = [];
    const noTarget: string[] = [];
    const passedOver = new Set<string>();
    for (const role of roles) {
      for (const unheld of unheldTiers(directory, role, holdersOf)) passedOver.add(unheld);
      const target = escalationTarget(directory, role, n, holdersOf);
      if (!target) noTarget.push(role);
      else if (!escalatedTo.some((e) => e.role === target.role)) {
        escalatedTo.push({
          role: target.role,
          principals: holdersOf(target.role),
          tier: target.tier,
          from: role,
          repeated: target.repeated,
        });
      }
    }
    // The end of an empty path: the admins, who can set the roles, are told.
    const admins = noTarget.length > 0 ? [...new Set(ctx.adminUserIds ?? [])] : [];
    result.escalatedTo = escalatedTo.map((e) => e.role);
    if (noTarget.length > 0) result.adminsTold = admins;
    const notice: EscalationNotice = {
      type: 'escalation',
      ...base,
      escalatedTo,
      noTarget,
      passedOver: [...passedOver],
      admins,
    };
    outgoing.push({ runId: view.run.id, delivery: { kind: 'thread' }, notice });
    for (const user of new Set([...userIds(escalatedTo), ...admins]))
      outgoing.push({ runId: view.run.id, delivery: { kind: 'dm', userId: user }, notice });
  }

  function fireGdpr(timer: TimerRow, view: TimerRunView, result: FiredTimer, lateness: Lateness) {
    const clock = view.run.context.gdprClock as GdprClock | undefined;
    if (!clock || clock.notifiedAt || clock.stoppedAt || view.run.context.notificationSent) {
      result.skipped = 'notification_recorded';
      return;
    }
    const mark = String(timer.data.mark ?? 'overdue');
    const notice = gdprNotice(view.run, clock, now, roleHoldersOf, { mark, ...lateness });
    outgoing.push({ runId: view.run.id, delivery: { kind: 'thread' }, notice });
    for (const user of userIds(notice.mentions))
      outgoing.push({ runId: view.run.id, delivery: { kind: 'dm', userId: user }, notice });
    rootUpdates.add(view.run.id);
    if (timer.dueAt >= clock.deadlineAt) {
      // Past the deadline the clock keeps running: remind daily, from the last due time.
      let next = timer.dueAt + GDPR_OVERDUE_EVERY_MS;
      while (next <= now) next += GDPR_OVERDUE_EVERY_MS;
      followUps.push({
        runId: view.run.id,
        stepId: null,
        kind: TIMER.gdpr,
        dueAt: next,
        data: { mark: 'overdue', startedAt: clock.startedAt, deadlineAt: clock.deadlineAt },
      });
    }
  }

  await repos.events.append(events);
  for (const runId of rootUpdates) outgoing.push(rootUpdateMessage(runId));
  await repos.outbox.enqueue(outgoing, now);
  await ctx.onNotices?.(
    repos,
    outgoing.map((o) => o.notice),
    now,
  );
  await repos.timers.schedule(followUps, now);
  return fired;
}
