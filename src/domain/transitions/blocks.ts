// Blocks and rejections: block a step with a reason, lift the block (the independence rule),
// reject the run at a gate that can reject it.

import { requireNotLinked, requireRiskRationale, requireStepRole, unblockAccess } from '../policy.ts';
import type { RunTransition } from '../run-machine.ts';
import { type Actor, SYSTEM_ACTOR } from '../types.ts';
import { needsConfirmation, recordDecision } from './agent-decisions.ts';

/**
 * Block the run with a reason. On a gated step the blocker says which it is: the gate failed
 * (the default, as the contract has it), or the step is waiting on something and the gate is
 * not judged yet (`waiting`).
 */
export function blockStep(
  tr: RunTransition,
  actor: Actor,
  input: { stepKey?: string; reason: string; waiting?: boolean },
) {
  const reason = input.reason.trim();
  const step = tr.currentStep(actor, input.stepKey, ['active']);
  const held = requireStepRole(tr.run, step, actor, 'block');
  if (!reason) tr.refuse(actor, 'reason_required', 'A block needs a reason.', step);
  const role = held.find((r) => tr.deps.directory.isIndependent(r)) ?? held[0] ?? null;
  const runBefore = tr.run.status;
  tr.setStep(step, {
    status: 'blocked',
    blockReason: reason,
    blockedBy: actor.userId,
    blockedByRole: role,
  });
  tr.run.status = 'blocked';
  tr.run.blockedReason = reason;
  const gate = step.spec.gate?.canBlock ? step.spec.gate.check : null;
  const gateFailed = gate && !input.waiting ? gate : null;
  const gatePending = gate && input.waiting ? gate : null;
  tr.event(actor.userId, gateFailed ? 'gate_failed' : 'step_blocked', step, {
    before: { status: 'active', run: runBefore },
    after: { status: 'blocked', run: 'blocked' },
    reason,
    role,
    gate: gateFailed,
    ...(gatePending ? { waiting: true, gatePending } : {}),
  });
  const independent = tr.deps.directory.isIndependent(role);
  tr.thread({
    type: 'blocked',
    runId: tr.run.id,
    stepKey: step.key,
    stepTitle: step.title,
    by: actor.userId,
    role,
    reason,
    gateFailed,
    gatePending,
    liftedBy: independent
      ? `only @${role}, or @${tr.deps.directory.riskAcceptor} accepting the risk with a written rationale`
      : `an owner of ${step.title} or an admin`,
  });
  tr.finish();
}

/**
 * Lift a block. The independence rule: a block raised by an independent role (Privacy) is
 * lifted only by that role, or by the risk acceptor (Ghabs) with a written rationale.
 */
export function unblockStep(
  tr: RunTransition,
  actor: Actor,
  input: { stepKey?: string; rationale?: string | null },
) {
  const step = tr.currentStep(actor, input.stepKey, ['blocked']);
  if (step.blockedBy === SYSTEM_ACTOR) requireNotLinked(tr.run, step, actor, 'unblock');
  const rationale = input.rationale?.trim() || null;
  const { riskAcceptance: riskAccepted } = unblockAccess(tr.run, step, actor, tr.deps);
  if (riskAccepted) requireRiskRationale(tr.run, step, actor, rationale);
  const before = {
    status: step.status,
    reason: step.blockReason,
    by: step.blockedBy,
    role: step.blockedByRole,
  };
  tr.setStep(step, { status: 'active', blockReason: null, blockedBy: null, blockedByRole: null });
  tr.run.status = 'active';
  tr.run.blockedReason = null;
  tr.event(actor.userId, riskAccepted ? 'risk_accepted' : 'step_unblocked', step, {
    before,
    after: { status: 'active', run: 'active' },
    rationale,
  });
  tr.thread({
    type: 'unblocked',
    runId: tr.run.id,
    stepKey: step.key,
    stepTitle: step.title,
    by: actor.userId,
    rationale,
    riskAccepted,
  });
  tr.finish();
}

/** Reject the run at a gate that can reject it (e.g. Technical Feasibility). */
export function rejectRun(
  tr: RunTransition,
  actor: Actor,
  input: { stepKey?: string; reason: string; confirmed?: boolean },
) {
  const step = tr.currentStep(actor, input.stepKey, ['active', 'blocked']);
  const held = requireStepRole(tr.run, step, actor, 'reject');
  if (!step.spec.gate?.canReject) {
    tr.refuse(
      actor,
      'cannot_reject',
      `${step.title} cannot reject the run; block it with a reason instead.`,
      step,
    );
  }
  const reason = input.reason.trim();
  if (!reason) tr.refuse(actor, 'reason_required', 'A rejection needs a reason.', step);
  // An agent's rejection of a gate that needs a person waits for one (agent-decisions.ts).
  const role = held[0] ?? null;
  if (!input.confirmed && role && needsConfirmation(tr, actor, step, role)) {
    recordDecision(tr, actor, step, { decision: 'reject', role, output: null, reason });
    return;
  }
  const before = { status: step.status, run: tr.run.status };
  tr.setStep(step, { status: 'rejected', completedAt: tr.now, output: reason });
  tr.endedSteps.add(step.idx);
  tr.run.status = 'rejected';
  tr.run.closedAt = tr.now;
  tr.event(actor.userId, 'run_rejected', step, {
    before,
    after: { status: 'rejected', run: 'rejected' },
    reason,
    gate: step.spec.gate.check,
  });
  tr.thread({
    type: 'rejected',
    runId: tr.run.id,
    stepKey: step.key,
    stepTitle: step.title,
    by: actor.userId,
    reason,
  });
  tr.finish();
}
