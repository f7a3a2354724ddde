// Who may act: the one home of every rule on who may do what to a run, used by every verb (the
// run transitions, the clock verbs, the checks before a modal opens, role set, chain choice).
// Pure: each rule reads the run, the step and the actor and either answers or throws a
// RefusedError (recorded as a `refused` event by the verb that called it, refusals.ts).
import type { RoleDirectory } from '../../routing/roles.ts';
import { type ErrorCode, RefusedError } from '../errors.ts';
import { liveChild } from './links.ts';
import { joined, role, type Text, text, user } from './text.ts';
import { type Actor, CLOSED_RUN_STATUSES, type Run, type Step, type StepStatus } from './types.ts';

/** Where a refusal happened, kept with its event. */
interface Where {
  runId?: string | null;
  stepKey?: string | null;
}

/** Owner roles that still have to deliver: none once one has, on an any-owner step. */
export function ownersLeft(step: Step): string[] {
  if (step.spec.anyOwner && step.owners.some((r) => step.deliveries[r])) return [];
  return step.owners.filter((r) => !step.deliveries[r]);
}

export function refuse(actor: Actor, code: ErrorCode, message: Text | string, where: Where = {}): never {
  throw new RefusedError(code, message, {
    runId: where.runId ?? null,
    stepKey: where.stepKey ?? null,
    actor: actor.userId,
  });
}

const at = (run: Run, step?: Step | null): Where => ({ runId: run.id, stepKey: step?.key ?? null });

/** Whether any of the actor's principals (the user, their groups) is among `holders`. */
export const holdsAny = (actor: Actor, holders: readonly string[]): boolean =>
  holders.some((p) => actor.principals.includes(p));

/** The step roles the actor may act for (by the snapshot taken at handoff). */
export function rolesHeld(actor: Actor, step: Step): string[] {
  return [...step.owners, ...step.approvers].filter((r) => holdsAny(actor, step.assignees[r] ?? []));
}

/** The refusal shown to someone who neither holds a role of the step nor is an admin. */
export function notOwnerMessage(step: Step, runId: string, verb: string): Text {
  const roles = joined([...step.owners, ...step.approvers].map(role));
  return ['Only ', ...roles, ` or an admin can ${verb} ${step.title} (${runId}).`];
}

/** A closed run (done, rejected, cancelled) takes no more actions. */
export function requireOpen(run: Run, actor: Actor, step: Step | null = null): void {
  if (CLOSED_RUN_STATUSES.includes(run.status)) {
    refuse(actor, 'run_closed', `${run.id} is already ${run.status}.`, at(run, step));
  }
}

/** The step an action is about: the one named, or the run's current step. */
export function stepToActOn(run: Run, actor: Actor, stepKey: string | undefined): Step {
  const step = stepKey
    ? run.steps.find((s) => s.key === stepKey)
    : run.steps.find((s) => s.status === 'active' || s.status === 'blocked');
  if (!step) {
    refuse(
      actor,
      'no_such_step',
      stepKey ? `${run.id} has no step "${stepKey}".` : `${run.id} has no current step.`,
      at(run),
    );
  }
  return step;
}

/** The step is in one of the states the action needs; otherwise the refusal says what it is. */
export function requireStepStatus(run: Run, step: Step, actor: Actor, allowed: readonly StepStatus[]): void {
  if (allowed.includes(step.status)) return;
  const last = Object.values(step.deliveries).at(-1);
  const what: Text =
    step.status === 'done'
      ? last
        ? text`was already completed by ${user(last.by)}`
        : ['was already completed']
      : step.status === 'skipped'
        ? ['was skipped']
        : step.status === 'blocked'
          ? ['is blocked']
          : step.status === 'pending'
            ? ['has not started yet']
            : [`is ${step.status}`];
  refuse(actor, 'step_not_active', [`${step.title} (${run.id}) `, ...what, '.'], at(run, step));
}

/** The actor holds a role of the step, or is an admin. Returns the roles held. */
export function requireStepRole(run: Run, step: Step, actor: Actor, verb: string): string[] {
  const held = rolesHeld(actor, step);
  if (held.length === 0 && !actor.isAdmin) {
    refuse(actor, 'not_owner', notOwnerMessage(step, run.id, verb), at(run, step));
  }
  return held;
}

/** The run is open and the actor holds a role of the step, or is an admin. */
export function requireStepActor(run: Run, step: Step, actor: Actor, verb: string): string[] {
  requireOpen(run, actor, step);
  return requireStepRole(run, step, actor, verb);
}

/**
 * The role the actor delivers for when completing the step: the one asked for, else the first
 * pending role they hold (an admin: the first pending). Owners deliver before approvers.
 */
export function deliveryRole(
  run: Run,
  step: Step,
  actor: Actor,
  o: { held: string[]; pending: string[]; asked?: string | undefined },
): string {
  const { held, pending } = o;
  const chosen = o.asked
    ? pending.includes(o.asked) && (held.includes(o.asked) || actor.isAdmin)
      ? o.asked
      : undefined
    : (pending.find((r) => held.includes(r)) ?? (actor.isAdmin ? pending[0] : undefined));
  if (chosen) return chosen;
  const waiting = joined(pending.map(role));
  if (held.some((r) => step.deliveries[r])) {
    refuse(
      actor,
      'already_delivered',
      [`You already recorded your part of ${step.title} (${run.id}); waiting on `, ...waiting, '.'],
      at(run, step),
    );
  }
  const ownersPending = ownersLeft(step).length > 0;
  if (ownersPending && held.some((r) => step.approvers.includes(r))) {
    refuse(
      actor,
      'awaiting_owners',
      [`${step.title} (${run.id}) needs `, ...waiting, ' before approval.'],
      at(run, step),
    );
  }
  return refuse(
    actor,
    'not_owner',
    `You cannot complete ${step.title} (${run.id}) for that role.`,
    at(run, step),
  );
}

/** The role of the step the actor hands over: the one named, else the pending one they hold. */
export function reassignRole(
  run: Run,
  step: Step,
  actor: Actor,
  o: { held: string[]; pending: string[]; asked?: string | undefined },
): string {
  const asked = o.asked?.toLowerCase();
  const chosen = asked
    ? [...step.owners, ...step.approvers].find((r) => r.toLowerCase() === asked)
    : (o.pending.find((r) => o.held.includes(r)) ?? o.held[0] ?? o.pending[0]);
  if (!chosen) refuse(actor, 'no_such_role', `${step.title} has no role "${o.asked}".`, at(run, step));
  if (!actor.isAdmin && !o.held.includes(chosen)) {
    refuse(
      actor,
      'not_owner',
      text`Only ${role(chosen)} or an admin can reassign that part of ${step.title}.`,
      at(run, step),
    );
  }
  return chosen;
}

/** A step not started yet is skipped by an admin only; an active one by its owners too. */
export function requireSkipper(run: Run, step: Step, actor: Actor): void {
  if (step.status === 'active') requireStepRole(run, step, actor, 'skip');
  else if (!actor.isAdmin)
    refuse(actor, 'not_owner', 'Only an admin can skip a step that has not started.', at(run, step));
}

/** A run is cancelled by its requester or an admin. */
export function requireCanceller(run: Run, actor: Actor): void {
  requireOpen(run, actor);
  if (!actor.isAdmin && actor.userId !== run.requester) {
    refuse(
      actor,
      'not_allowed',
      text`Only the requester (${user(run.requester)}) or an admin can cancel ${run.id}.`,
      at(run),
    );
  }
}

export interface IndependenceContext {
  directory: RoleDirectory;
  /** Who holds a role now (user and group IDs). */
  holders: (role: string) => string[];
}

/**
 * The independence rule: a block raised by an independent role (Privacy) is lifted only by that
 * role, or by the risk acceptor (Ghabs) accepting the risk with a written rationale. Other
 * blocks: an owner of the step or an admin. Returns whether lifting it accepts the risk.
 */
export function unblockAccess(
  run: Run,
  step: Step,
  actor: Actor,
  ctx: IndependenceContext,
): { riskAcceptance: boolean; riskAcceptor: string } {
  const riskAcceptor = ctx.directory.riskAcceptor;
  if (!ctx.directory.isIndependent(step.blockedByRole)) {
    requireStepActor(run, step, actor, 'unblock');
    return { riskAcceptance: false, riskAcceptor };
  }
  const blocker = step.blockedByRole!;
  if (holdsAny(actor, ctx.holders(blocker))) return { riskAcceptance: false, riskAcceptor };
  if (holdsAny(actor, ctx.holders(riskAcceptor))) return { riskAcceptance: true, riskAcceptor };
  return refuse(
    actor,
    'independence_rule',
    text`This block was raised by ${role(blocker)}: only ${role(blocker)} can lift it, or ${role(riskAcceptor)} accepting the risk with a written rationale.`,
    at(run, step),
  );
}

/** Lifting an independent block as the risk acceptor needs a written rationale. */
export function requireRiskRationale(run: Run, step: Step, actor: Actor, rationale: string | null): void {
  if (rationale) return;
  refuse(
    actor,
    'rationale_required',
    text`To accept the risk on a ${role(step.blockedByRole ?? '')} block, write the rationale.`,
    at(run, step),
  );
}

/** Only holders of `roleName` may (Privacy records the GDPR notification). */
export function requireRoleHolder(
  actor: Actor,
  roleName: string,
  holders: readonly string[],
  o: { code: ErrorCode; doing: string; runId?: string | null },
): void {
  if (holdsAny(actor, holders)) return;
  refuse(actor, o.code, text`Only ${role(roleName)} can ${o.doing}.`, { runId: o.runId ?? null });
}

/** Admins only (who holds a role). */
export function requireAdmin(actor: Actor, message: string): void {
  if (!actor.isAdmin) refuse(actor, 'not_admin', message);
}

/** Only the person who made a request (or an admin) chooses its chain. */
export function requireRequester(actor: Actor, requester: string): void {
  if (actor.userId !== requester && !actor.isAdmin) {
    refuse(actor, 'not_requester', text`Only ${user(requester)} can choose the chain for this request.`);
  }
}

/** A step handed to a linked run is done (or unblocked) by that run, not by hand. */
export function requireNotLinked(run: Run, step: Step, actor: Actor, verb: string): void {
  const child = liveChild(run, step.key);
  if (!child) return;
  refuse(
    actor,
    'step_linked',
    `${step.title} runs as ${child.runId} (${child.title}): it is done when ${child.runId} is done. ${verb === 'unblock' ? `It is blocked while ${child.runId} is; act` : 'Act'} in ${child.runId}'s thread.`,
    { runId: run.id, stepKey: step.key },
  );
}

/**
 * A follow-up of an incident is started by someone who takes part in it (a holder of a role on
 * any of its steps, handed off or not), its requester, or an admin; from an incident only.
 */
export function requireFollowUpStarter(run: Run, actor: Actor): void {
  if (run.chain !== 'incident')
    refuse(
      actor,
      'not_incident',
      `${run.id} is not an incident: follow-ups come from a post-mortem.`,
      at(run),
    );
  if (actor.isAdmin || actor.userId === run.requester) return;
  const tookPart = (s: Step) =>
    rolesHeld(actor, s).length > 0 || [...s.owners, ...s.approvers].some((r) => actor.roles.includes(r));
  if (run.steps.some(tookPart)) return;
  refuse(
    actor,
    'not_allowed',
    text`Only someone who took part in ${run.id}, its requester (${user(run.requester)}) or an admin can open its follow-ups.`,
    at(run),
  );
}
