// A person confirms what an agent decides, where the team says so: a gate's pass or rejection by
// a bot user (the actor's kind when it acts: `slack_bot`) on a gate marked `confirmAgents` in its
// playbook, or by a role marked `confirmAgents` in roles.yml, is recorded and waits. The people
// on the deciding role's escalation path (or an admin) confirm it, and it takes effect as the
// agent's; or overrule it with a reason, and the step is the agent's again, with that reason.
import { refuse } from '../policy.ts';
import type { CollectedFacts, RunTransition } from '../run-machine.ts';
import type { Actor, RoleMention, Step } from '../types.ts';

export interface AgentDecision {
  decision: 'pass' | 'reject';
  /** The agent's bot user and how it is named. */
  by: string;
  name: string;
  role: string;
  output: string | null;
  reason: string | null;
  facts?: CollectedFacts;
  at: number;
}

const KEY = 'agentDecisions';

/** The decisions waiting for a person, by step key (kept on the run's context). */
export function pendingDecisions(run: { context: Record<string, unknown> }): Record<string, AgentDecision> {
  return (run.context[KEY] as Record<string, AgentDecision> | undefined) ?? {};
}

function setDecision(tr: RunTransition, stepKey: string, d: AgentDecision | null) {
  const next = { ...pendingDecisions(tr.run) };
  if (d) next[stepKey] = d;
  else delete next[stepKey];
  tr.run.context = { ...tr.run.context, [KEY]: next };
  tr.touch();
}

/** Whether this actor's pass or rejection of the step's gate, for `role`, waits for a person. */
export function needsConfirmation(tr: RunTransition, actor: Actor, step: Step, role: string | null): boolean {
  if (actor.kind !== 'slack_bot' || !step.spec.gate) return false;
  return step.spec.gate.confirmAgents === true || (role !== null && tr.deps.directory.confirmsAgents(role));
}

/** Who confirms a decision for `role`: the holders of the roles on its escalation path. */
export function confirmers(tr: RunTransition, role: string): RoleMention[] {
  return tr.deps.directory.escalationPath(role).map((r) => ({ role: r, principals: tr.holdersOf(r) }));
}

/** Record the agent's decision; the step waits (nothing else changes). */
export function recordDecision(
  tr: RunTransition,
  actor: Actor,
  step: Step,
  d: Omit<AgentDecision, 'by' | 'name' | 'at'>,
) {
  if (pendingDecisions(tr.run)[step.key]) {
    tr.refuse(
      actor,
      'decision_pending',
      `${step.title} (${tr.run.id}) already waits for a person to confirm a decision.`,
      step,
    );
  }
  const decision: AgentDecision = { ...d, by: actor.userId, name: actor.label, at: tr.now };
  setDecision(tr, step.key, decision);
  tr.event(actor.userId, 'agent_decision_recorded', step, {
    decision: d.decision,
    role: d.role,
    output: d.output,
    reason: d.reason,
  });
  tr.thread({
    type: 'agent_decision',
    runId: tr.run.id,
    stepKey: step.key,
    stepTitle: step.title,
    by: actor.userId,
    byName: actor.label,
    role: d.role,
    decision: d.decision,
    said: d.decision === 'pass' ? d.output : d.reason,
    gate: step.spec.gate?.check ?? '',
    confirmers: confirmers(tr, d.role),
  });
  tr.finish();
}

/** The pending decision on the step, once the actor may judge it (a person on the path, or an admin). */
export function decisionToJudge(tr: RunTransition, actor: Actor, stepKey: string | undefined) {
  const step = tr.currentStep(actor, stepKey, ['active']);
  const d = pendingDecisions(tr.run)[step.key];
  if (!d)
    tr.refuse(actor, 'no_decision', `${step.title} (${tr.run.id}) has no agent decision waiting.`, step);
  const path = tr.deps.directory.escalationPath(d.role);
  if (actor.kind === 'slack_bot' || (!actor.isAdmin && !actor.roles.some((r) => path.includes(r)))) {
    refuse(
      actor,
      'not_confirmer',
      `Only a person holding ${path.map((r) => `@${r}`).join(', ') || 'an admin role'} (the escalation path of @${d.role}), or an admin, can confirm or overrule this.`,
      { runId: tr.run.id, stepKey: step.key },
    );
  }
  return { step, decision: d };
}

/** The agent as the actor its decision takes effect as. */
export function agentActor(d: AgentDecision): Actor {
  return {
    kind: 'slack_bot',
    userId: d.by,
    principals: [d.by],
    isAdmin: false,
    roles: [d.role],
    label: d.name,
  };
}

/** Confirmed: cleared and recorded; the caller applies the decision as the agent's. */
export function confirmDecision(tr: RunTransition, actor: Actor, step: Step, d: AgentDecision) {
  setDecision(tr, step.key, null);
  tr.event(actor.userId, 'agent_decision_confirmed', step, {
    decision: d.decision,
    agent: d.by,
    role: d.role,
  });
}

/** Overruled: the step is the agent's again, with the person's reason. */
export function overruleDecision(
  tr: RunTransition,
  actor: Actor,
  step: Step,
  d: AgentDecision,
  reason: string,
) {
  const why = reason.trim();
  if (!why) tr.refuse(actor, 'reason_required', 'Say why the decision is overruled.', step);
  setDecision(tr, step.key, null);
  tr.event(actor.userId, 'agent_decision_overruled', step, {
    decision: d.decision,
    agent: d.by,
    role: d.role,
    reason: why,
  });
  tr.handoff(step, 'owners', [
    `${d.decision === 'pass' ? 'The pass' : 'The rejection'} by ${d.name} was overruled by ${actor.label}: ${why}`,
  ]);
  tr.finish();
}
