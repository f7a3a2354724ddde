// Handing over and closing: reassign a step, skip it, acknowledge the handoff, hand a step to a
// role's new holders, cancel the run.

import { type ChildrenOnCancel, detach, openChildren } from '../links.ts';
import {
  reassignRole,
  requireCanceller,
  requireNotLinked,
  requireSkipper,
  requireStepRole,
} from '../policy.ts';
import type { RunTransition } from '../run-machine.ts';
import { plainText, text, user } from '../text.ts';
import type { Actor } from '../types.ts';

/** Hand the step (one of its roles) to other users or groups. */
export function reassignStep(
  tr: RunTransition,
  actor: Actor,
  input: { stepKey?: string; to: string[]; role?: string },
) {
  const step = tr.currentStep(actor, input.stepKey, ['active', 'blocked']);
  requireNotLinked(tr.run, step, actor, 'reassign');
  const held = requireStepRole(tr.run, step, actor, 'reassign');
  const to = [...new Set(input.to)];
  if (to.length === 0) tr.refuse(actor, 'assignee_required', 'Choose who takes the step over.', step);
  const role = reassignRole(tr.run, step, actor, { held, pending: tr.pendingRoles(step), asked: input.role });
  const from = step.assignees[role] ?? [];
  tr.setStep(step, { assignees: { ...step.assignees, [role]: to }, acknowledgedAt: null });
  tr.event(actor.userId, 'step_reassigned', step, {
    role,
    before: { assignees: from },
    after: { assignees: to },
  });
  tr.thread({
    type: 'reassigned',
    runId: tr.run.id,
    stepKey: step.key,
    stepTitle: step.title,
    by: actor.userId,
    role,
    from,
    to,
  });
  if (step.status === 'active') tr.handoff(step, 'reassigned');
  tr.activatedSteps.add(step.idx);
  tr.finish();
}

/** Skip a step by hand, only where the playbook allows it, with a reason. */
export function skipStep(tr: RunTransition, actor: Actor, input: { stepKey?: string; reason: string }) {
  const step = tr.currentStep(actor, input.stepKey, ['active', 'pending']);
  requireSkipper(tr.run, step, actor);
  requireNotLinked(tr.run, step, actor, 'skip');
  if (step.spec.required) {
    tr.refuse(
      actor,
      'step_required',
      `${step.title} is mandatory for ${tr.run.id} and cannot be skipped.`,
      step,
    );
  }
  if (!step.spec.manualSkip) {
    tr.refuse(
      actor,
      'skip_not_allowed',
      `The ${tr.deps.playbook.title} playbook does not allow skipping ${step.title}.`,
      step,
    );
  }
  const reason = input.reason.trim();
  if (!reason) tr.refuse(actor, 'reason_required', 'Skipping a step needs a reason.', step);
  const wasActive = step.status === 'active';
  tr.setStep(step, {
    status: 'skipped',
    skipReason: plainText(text`Skipped by ${user(actor.userId)}: ${reason}`),
    completedAt: tr.now,
  });
  if (wasActive) tr.endedSteps.add(step.idx);
  tr.event(actor.userId, 'step_skipped', step, {
    before: { status: wasActive ? 'active' : 'pending' },
    after: { status: 'skipped' },
    reason,
    automatic: false,
  });
  tr.thread({
    type: 'skipped',
    runId: tr.run.id,
    stepKey: step.key,
    stepTitle: step.title,
    by: actor.userId,
    reason,
  });
  if (wasActive) tr.activateNext(actor.userId);
  tr.finish();
}

/** An owner acknowledges the handoff (stops the acknowledgement clock). */
export function acknowledgeStep(tr: RunTransition, actor: Actor, input: { stepKey?: string }) {
  const step = tr.currentStep(actor, input.stepKey, ['active', 'blocked']);
  requireStepRole(tr.run, step, actor, 'acknowledge');
  if (step.acknowledgedAt !== null) {
    tr.refuse(actor, 'already_acknowledged', `${step.title} (${tr.run.id}) was already acknowledged.`, step);
  }
  tr.setStep(step, { acknowledgedAt: tr.now });
  tr.event(actor.userId, 'step_acknowledged', step, {
    before: { acknowledged: false },
    after: { acknowledged: true },
  });
  tr.finish();
}

/**
 * A role nobody held at handoff is now held: its new holders take that part of the current
 * step, and are told. Returns false when the run has no such step.
 */
export function adoptRoleHolders(tr: RunTransition, actor: string, role: string, holders: string[]): boolean {
  const step = tr.activeStep;
  if (!step || tr.isClosed()) return false;
  const roles = [...step.owners, ...step.approvers, ...step.watchers];
  if (!roles.includes(role) || (step.assignees[role] ?? []).length > 0 || holders.length === 0) return false;
  tr.setStep(step, { assignees: { ...step.assignees, [role]: [...holders] } });
  tr.event(actor, 'step_reassigned', step, {
    role,
    before: { assignees: [] },
    after: { assignees: holders },
    reason: 'role_set',
  });
  if (step.status === 'active' && !step.watchers.includes(role)) tr.handoff(step, 'reassigned');
  tr.activatedSteps.add(step.idx);
  tr.finish();
  return true;
}

/** Cancel the run: its requester or an admin. */
export function cancelRun(
  tr: RunTransition,
  actor: Actor,
  input: { reason?: string | null; linked?: ChildrenOnCancel | null },
) {
  requireCanceller(tr.run, actor);
  const children = openChildren(tr.run);
  if (children.length > 0) {
    if (!input.linked) {
      const names = children.map((c) => `${c.runId} (${c.title})`).join(', ');
      tr.refuse(
        actor,
        'linked_runs_open',
        `${tr.run.id} waits on ${names}: say whether to cancel ${children.length === 1 ? 'it' : 'them'} too, or keep ${children.length === 1 ? 'it' : 'them'} going without ${tr.run.id}.`,
        null,
      );
    }
    tr.linkedOnCancel = { do: input.linked, runs: children.map((c) => c.runId) };
    // Kept: they go on by themselves, and nothing here waits on them any more.
    if (input.linked === 'keep') for (const c of children) detach(tr.run, c.runId);
  }
  const step = tr.activeStep;
  if (step) tr.endedSteps.add(step.idx);
  const before = tr.run.status;
  tr.run.status = 'cancelled';
  tr.run.closedAt = tr.now;
  const reason = input.reason?.trim() || null;
  tr.event(actor.userId, 'run_cancelled', step ?? null, {
    before: { status: before },
    after: { status: 'cancelled' },
    reason,
    ...(tr.linkedOnCancel ? { linked: tr.linkedOnCancel } : {}),
  });
  tr.thread({ type: 'cancelled', runId: tr.run.id, by: actor.userId, reason });
  tr.finish();
}
