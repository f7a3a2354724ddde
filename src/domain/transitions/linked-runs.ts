// A run following a run it links (src/domain/links.ts): the link takes the other's status, and a
// step handed to a child follows it: done when the child is done, blocked while it is blocked,
// blocked for its owners to finish by hand when the child was cancelled or rejected.
import { detach, linksOf } from '../links.ts';
import type { RunTransition } from '../run-machine.ts';
import { type Run, type Step, SYSTEM_ACTOR } from '../types.ts';

/**
 * This run hears that a run it links changed: the link takes the other's status, and a step
 * waiting on that run follows it (done when it is done, blocked while it is blocked; a child
 * cancelled or rejected leaves the step blocked for its owners to finish by hand). False when
 * nothing changed here.
 */
export function followLinkedRun(tr: RunTransition, other: Run): boolean {
  const run = tr.run;
  const link = linksOf(run).find((l) => l.runId === other.id);
  if (!link) return false;
  const changed = link.status !== other.status;
  if (changed) {
    run.context.links = linksOf(run).map((l) => (l.runId === other.id ? { ...l, status: other.status } : l));
  }
  if (link.relation === 'step' && !link.detached && !tr.isClosed()) {
    const step = run.steps.find((s) => s.key === link.stepKey);
    if (step && (step.status === 'active' || step.status === 'blocked')) {
      if (followChild(tr, step, other)) return true;
    }
  }
  if (changed) tr.finish();
  return changed;
}

function followChild(tr: RunTransition, step: Step, child: Run): boolean {
  if (child.status === 'done') {
    const last = [...child.steps].reverse().find((s) => s.status === 'done' && s.output);
    const output = `${child.id} is done${last?.output ? `: ${last.output}` : '.'}`;
    const before = step.status;
    tr.setStep(step, {
      status: 'done',
      output,
      completedAt: tr.now,
      blockReason: null,
      blockedBy: null,
      blockedByRole: null,
    });
    if (tr.run.status === 'blocked') {
      tr.run.status = 'active';
      tr.run.blockedReason = null;
    }
    tr.endedSteps.add(step.idx);
    tr.event(SYSTEM_ACTOR, 'step_completed', step, {
      before: { status: before },
      after: { status: 'done' },
      output,
      linkedRunId: child.id,
    });
    tr.thread({
      type: 'step_done',
      runId: tr.run.id,
      stepKey: step.key,
      stepTitle: step.title,
      by: SYSTEM_ACTOR,
      output,
      gatePassed: step.spec.gate?.check ?? null,
    });
    tr.activateNext(SYSTEM_ACTOR);
    tr.finish();
    return true;
  }
  const ended = child.status === 'cancelled' || child.status === 'rejected';
  if ((child.status === 'blocked' || ended) && step.status === 'active') {
    const reason = ended
      ? `${child.id} was ${child.status}${child.blockedReason ? `: ${child.blockedReason}` : ''}. Finish ${step.title} by hand, or skip it.`
      : `${child.id} is blocked: ${child.blockedReason ?? 'no reason given'}`;
    if (ended) {
      // Its owners have the step now, as if it had been handed to them (and its clocks start).
      detach(tr.run, child.id);
      const assignees: Record<string, string[]> = {};
      for (const role of [...step.owners, ...step.approvers, ...step.watchers])
        assignees[role] = tr.holdersOf(role);
      tr.setStep(step, { assignees });
      tr.activatedSteps.add(step.idx);
    }
    tr.setStep(step, {
      status: 'blocked',
      blockReason: reason,
      blockedBy: SYSTEM_ACTOR,
      blockedByRole: null,
    });
    const runBefore = tr.run.status;
    tr.run.status = 'blocked';
    tr.run.blockedReason = reason;
    tr.event(SYSTEM_ACTOR, 'step_blocked', step, {
      before: { status: 'active', run: runBefore },
      after: { status: 'blocked', run: 'blocked' },
      reason,
      linkedRunId: child.id,
    });
    tr.thread({
      type: 'blocked',
      runId: tr.run.id,
      stepKey: step.key,
      stepTitle: step.title,
      by: SYSTEM_ACTOR,
      role: null,
      reason,
      gateFailed: null,
      gatePending: null,
      liftedBy: ended ? `an owner of ${step.title} or an admin` : `${child.id} going on`,
    });
    tr.finish();
    return true;
  }
  if (ended && step.status === 'blocked') {
    // Blocked already (by hand, or while the child was): it stays so, and is no longer linked.
    detach(tr.run, child.id);
    tr.finish();
    return true;
  }
  if (child.status === 'active' && step.status === 'blocked' && step.blockedBy === SYSTEM_ACTOR) {
    const before = { status: step.status, reason: step.blockReason, by: step.blockedBy, role: null };
    tr.setStep(step, { status: 'active', blockReason: null, blockedBy: null, blockedByRole: null });
    tr.run.status = 'active';
    tr.run.blockedReason = null;
    tr.event(SYSTEM_ACTOR, 'step_unblocked', step, {
      before,
      after: { status: 'active', run: 'active' },
      rationale: null,
      linkedRunId: child.id,
    });
    tr.thread({
      type: 'unblocked',
      runId: tr.run.id,
      stepKey: step.key,
      stepTitle: step.title,
      by: SYSTEM_ACTOR,
      rationale: `${child.id} goes on`,
      riskAccepted: false,
    });
    tr.finish();
    return true;
  }
  return false;
}
