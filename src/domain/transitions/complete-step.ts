// Completing a step: the actor records their role's part (an owner's output, an approver's
// go), with the facts the step collects; the step is done when every role delivered.

import { deliveryRole, ownersLeft, requireNotLinked, requireStepRole } from '../policy.ts';
import type { CollectedFacts, RunTransition } from '../run-machine.ts';
import type { Actor, Step } from '../types.ts';
import { needsConfirmation, recordDecision } from './agent-decisions.ts';

/**
 * Record the actor's part of the step. On a gated step it means the gate passed. A step with
 * several owners completes when each has delivered; approvers confirm after the owners.
 */
export function completeStep(
  tr: RunTransition,
  actor: Actor,
  input: {
    stepKey?: string;
    output?: string | null;
    role?: string;
    facts?: CollectedFacts;
    /** A person confirmed this agent's pass (agent-decisions.ts): it takes effect now. */
    confirmed?: boolean;
  },
) {
  const step = tr.currentStep(actor, input.stepKey, ['active']);
  requireNotLinked(tr.run, step, actor, 'complete');
  const held = requireStepRole(tr.run, step, actor, 'complete');
  const pending = tr.pendingRoles(step);
  const ownersPending = ownersLeft(step).length > 0;
  const role = deliveryRole(tr.run, step, actor, { held, pending, asked: input.role });
  const output = input.output?.trim() ? input.output.trim() : null;
  if (!input.confirmed && needsConfirmation(tr, actor, step, role)) {
    recordDecision(tr, actor, step, {
      decision: 'pass',
      role,
      output,
      reason: null,
      ...(input.facts ? { facts: input.facts } : {}),
    });
    return;
  }
  const deliveries = { ...step.deliveries, [role]: { by: actor.userId, output, at: tr.now } };
  tr.setStep(step, { deliveries });
  if (input.facts) applyFacts(tr, actor.userId, step, input.facts);
  const stillPending = tr.pendingRoles(step);
  if (stillPending.length > 0) {
    tr.event(actor.userId, 'step_delivered', step, { role, output, waitingOn: stillPending });
    tr.thread({
      type: 'delivered',
      runId: tr.run.id,
      stepKey: step.key,
      stepTitle: step.title,
      by: actor.userId,
      role,
      output,
      waitingOn: stillPending,
    });
    if (ownersPending && ownersLeft(step).length === 0 && step.approvers.length > 0) {
      tr.handoff(step, 'approval');
    }
    tr.finish();
    return;
  }
  const parts = Object.entries(deliveries).filter(([, d]) => d.output);
  const combined =
    parts.length === 0
      ? null
      : parts.length === 1
        ? parts[0]![1].output
        : parts.map(([r, d]) => `${r}: ${d.output}`).join('\n');
  tr.setStep(step, { status: 'done', output: combined, completedAt: tr.now });
  tr.endedSteps.add(step.idx);
  tr.event(actor.userId, 'step_completed', step, {
    before: { status: 'active' },
    after: { status: 'done' },
    role,
    output: combined,
    gate: step.spec.gate ? { check: step.spec.gate.check, passed: true } : null,
  });
  tr.thread({
    type: 'step_done',
    runId: tr.run.id,
    stepKey: step.key,
    stepTitle: step.title,
    by: actor.userId,
    output: combined,
    gatePassed: step.spec.gate?.check ?? null,
  });
  tr.activateNext(actor.userId);
  tr.finish();
}

/** Record facts a step collects and re-plan the steps not yet started. */
function applyFacts(tr: RunTransition, actor: string, step: Step, facts: CollectedFacts) {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const allowed = new Set(step.spec.collects);
  if (facts.severity !== undefined && allowed.has('severity') && facts.severity !== tr.run.severity) {
    changes.severity = { from: tr.run.severity, to: facts.severity };
    tr.run.severity = facts.severity;
  }
  if (facts.projects !== undefined && allowed.has('projects')) {
    const next = [...new Set(facts.projects)];
    if (next.join(',') !== tr.run.projects.join(',')) {
      changes.projects = { from: tr.run.projects, to: next };
      tr.run.projects = next;
    }
  }
  if (
    facts.releaseType !== undefined &&
    allowed.has('release_type') &&
    facts.releaseType !== tr.run.releaseType
  ) {
    changes.releaseType = { from: tr.run.releaseType, to: facts.releaseType };
    tr.run.releaseType = facts.releaseType;
  }
  if (facts.userDataExposed !== undefined && allowed.has('user_data_exposed')) {
    changes.userDataExposed = { from: tr.run.context.userDataExposed ?? null, to: facts.userDataExposed };
    tr.run.context.userDataExposed = facts.userDataExposed;
    if (facts.userDataExposed && !tr.run.flags.includes('user_data'))
      tr.run.flags = [...tr.run.flags, 'user_data'];
  }
  if (facts.notificationSent !== undefined && allowed.has('notification_sent')) {
    changes.notificationSent = {
      from: tr.run.context.notificationSent ?? null,
      to: facts.notificationSent,
    };
    tr.run.context.notificationSent = facts.notificationSent;
  }
  if (Object.keys(changes).length === 0) return;
  tr.event(actor, 'context_changed', step, { changes });
  tr.thread({ type: 'context_changed', runId: tr.run.id, by: actor, changes });
  tr.replan();
}
