// Who may act, pure and table-driven: each rule against a run planned from the real playbooks,
// every role held by U + its name in capitals, at a fixed time. A refusal is a RefusedError with
// a code, a message with structured mentions, and the run and step it is about.
import { describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../../routing/playbooks/load.ts';
import { loadRoleDirectory } from '../../routing/roles.ts';
import {
  deliveryRole,
  reassignRole,
  requireAdmin,
  requireCanceller,
  requireRequester,
  requireRiskRationale,
  requireRoleHolder,
  requireSkipper,
  requireStepActor,
  requireStepStatus,
  rolesHeld,
  stepToActOn,
  unblockAccess,
} from '../../src/domain/policy.ts';
import { newRun, RunTransition } from '../../src/domain/run-machine.ts';
import type { Actor, Run, Step } from '../../src/domain/types.ts';
import { RefusedError } from '../../src/errors.ts';

const NOW = Date.UTC(2026, 10, 2, 9, 0, 0);
const directory = loadRoleDirectory();
const playbooks = loadPlaybooks({ knownRoles: new Set(directory.names) });
const u = (role: string) => `U${role.toUpperCase()}`;
const holders = (role: string) => (role === 'Ghabs' ? ['SFOUNDERS'] : [u(role)]);
const REQ = 'UREQ';

function actor(userId: string, o: { groups?: string[]; admin?: boolean } = {}): Actor {
  return {
    kind: 'api_user',
    userId,
    principals: [userId, ...(o.groups ?? [])],
    isAdmin: o.admin ?? false,
    roles: [],
    label: userId,
  };
}

const OWNER = actor(u('Atlas'));
const GROUP_MEMBER = actor('UFOUNDER', { groups: ['SFOUNDERS'] });
const ADMIN = actor('UADMIN', { admin: true });
const STRANGER = actor('USTRANGER');
const REQUESTER = actor(REQ);

/** A started feature run whose current step is technical_feasibility (Atlas). */
function featureRun(): { run: Run; step: Step } {
  const playbook = playbooks.find((p) => p.id === 'feature')!;
  const run = newRun(
    {
      chain: 'feature',
      title: 'Dark mode',
      text: 'x',
      requester: REQ,
      flags: ['user_data'],
      projects: ['web'],
    },
    { id: 'FEAT-7', seq: 7 },
    { playbook, directory, now: NOW },
  );
  const tr = new RunTransition(run, {
    playbook,
    directory,
    holders,
    isGroup: (p) => p.startsWith('S'),
    now: NOW,
  });
  tr.start(REQ);
  const first = tr.activeStep!;
  first.status = 'done';
  first.deliveries = { Ghabs: { by: 'UFOUNDER', output: 'brief', at: NOW } };
  const step = run.steps.find((s) => s.key === 'technical_feasibility')!;
  step.status = 'active';
  step.assignees = { Atlas: [u('Atlas')] };
  return { run, step };
}

function refusal(fn: () => unknown): RefusedError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RefusedError);
    return err as RefusedError;
  }
  throw new Error('expected a refusal');
}

describe('requireStepActor: an open run, a role of the step or an admin', () => {
  it.each([
    ['the owner', OWNER, 'active', null, ['Atlas']],
    ['an admin', ADMIN, 'active', null, []],
    ['someone else', STRANGER, 'active', 'not_owner', null],
    ['the owner of a closed run', OWNER, 'done', 'run_closed', null],
    ['an admin on a closed run', ADMIN, 'cancelled', 'run_closed', null],
  ] as const)('%s: %s', (_who, who, status, code, held) => {
    const { run, step } = featureRun();
    run.status = status;
    if (code === null) {
      expect(requireStepActor(run, step, who, 'complete')).toEqual(held);
      return;
    }
    const err = refusal(() => requireStepActor(run, step, who, 'complete'));
    expect(err.code).toBe(code);
    expect(err.details).toMatchObject({
      runId: 'FEAT-7',
      stepKey: 'technical_feasibility',
      actor: who.userId,
    });
  });

  it('names the roles that may act, as mentions', () => {
    const { run, step } = featureRun();
    const err = refusal(() => requireStepActor(run, step, STRANGER, 'block'));
    expect(err.message).toBe('Only @Atlas or an admin can block Technical Feasibility (FEAT-7).');
    expect(err.text).toEqual([
      'Only ',
      { role: 'Atlas' },
      ' or an admin can block Technical Feasibility (FEAT-7).',
    ]);
  });

  it('counts a user group the actor belongs to', () => {
    const { run } = featureRun();
    const vision = run.steps.find((s) => s.key === 'vision_scope')!;
    vision.status = 'active';
    vision.assignees = { Ghabs: ['SFOUNDERS'] };
    expect(rolesHeld(GROUP_MEMBER, vision)).toEqual(['Ghabs']);
    expect(rolesHeld(OWNER, vision)).toEqual([]);
  });
});

describe('stepToActOn and requireStepStatus', () => {
  it.each([
    ['vision_scope', ['active'], 'step_not_active', /was already completed by @UFOUNDER/],
    ['ux_design', ['active'], 'step_not_active', /has not started yet/],
    ['no_such', ['active'], 'no_such_step', /FEAT-7 has no step "no_such"/],
  ] as const)('%s, needing %j: %s', (key, allowed, code, message) => {
    const { run } = featureRun();
    const err = refusal(() => requireStepStatus(run, stepToActOn(run, STRANGER, key), STRANGER, allowed));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('tells who completed the step as a user mention', () => {
    const { run } = featureRun();
    const vision = run.steps.find((s) => s.key === 'vision_scope')!;
    expect(refusal(() => requireStepStatus(run, vision, OWNER, ['active'])).text).toContainEqual({
      user: 'UFOUNDER',
    });
  });

  it('finds the current step when none is named', () => {
    const { run } = featureRun();
    expect(stepToActOn(run, OWNER, undefined).key).toBe('technical_feasibility');
  });
});

describe('deliveryRole: which part of a step the actor records', () => {
  const go = (s: Step) => {
    s.owners = ['Atlas'];
    s.approvers = ['Ghabs'];
    return s;
  };
  it.each([
    ['the owner, nothing asked', OWNER, ['Atlas'], ['Atlas'], undefined, 'Atlas', null],
    ['an admin, nothing asked', ADMIN, [], ['Atlas'], undefined, 'Atlas', null],
    ['the owner asking for a role not pending', OWNER, ['Atlas'], ['Atlas'], 'Ghabs', null, 'not_owner'],
    [
      'an approver before the owner delivered',
      GROUP_MEMBER,
      ['Ghabs'],
      ['Atlas'],
      undefined,
      null,
      'awaiting_owners',
    ],
  ] as const)('%s', (_what, who, held, pending, asked, role, code) => {
    const { run, step } = featureRun();
    go(step);
    const o = { held: [...held], pending: [...pending], asked };
    if (code === null) expect(deliveryRole(run, step, who, o)).toBe(role);
    else expect(refusal(() => deliveryRole(run, step, who, o)).code).toBe(code);
  });

  it('refuses a second delivery of the same role, naming who is still awaited', () => {
    const { run, step } = featureRun();
    go(step).deliveries = { Atlas: { by: u('Atlas'), output: 'ok', at: NOW } };
    const err = refusal(() => deliveryRole(run, step, OWNER, { held: ['Atlas'], pending: ['Ghabs'] }));
    expect(err.code).toBe('already_delivered');
    expect(err.text).toContainEqual({ role: 'Ghabs' });
  });
});

describe('unblockAccess: the independence rule', () => {
  const blocked = (by: string | null) => {
    const { run, step } = featureRun();
    step.status = 'blocked';
    step.blockedByRole = by;
    return { run, step };
  };
  const ctx = { directory, holders };
  it.each([
    ['Privacy lifts a Privacy block', 'Privacy', actor(u('Privacy')), false, null],
    ['Ghabs lifts it by accepting the risk', 'Privacy', GROUP_MEMBER, true, null],
    ['the step owner may not', 'Privacy', OWNER, null, 'independence_rule'],
    ['an admin may not', 'Privacy', ADMIN, null, 'independence_rule'],
    ['the owner lifts an ordinary block', 'Atlas', OWNER, false, null],
    ['an admin lifts an ordinary block', 'Atlas', ADMIN, false, null],
    ['someone else may not lift an ordinary block', 'Atlas', STRANGER, null, 'not_owner'],
  ] as const)('%s', (_what, by, who, riskAcceptance, code) => {
    const { run, step } = blocked(by);
    if (code === null) {
      expect(unblockAccess(run, step, who, ctx)).toEqual({ riskAcceptance, riskAcceptor: 'Ghabs' });
      return;
    }
    expect(refusal(() => unblockAccess(run, step, who, ctx)).code).toBe(code);
  });

  it('asks the risk acceptor for a written rationale', () => {
    const { run, step } = blocked('Privacy');
    expect(refusal(() => requireRiskRationale(run, step, GROUP_MEMBER, null)).code).toBe(
      'rationale_required',
    );
    expect(() => requireRiskRationale(run, step, GROUP_MEMBER, 'SCCs in place')).not.toThrow();
  });
});

describe('the other rules', () => {
  it.each([
    ['cancel: the requester', () => requireCanceller(featureRun().run, REQUESTER), null],
    ['cancel: an admin', () => requireCanceller(featureRun().run, ADMIN), null],
    ['cancel: an owner', () => requireCanceller(featureRun().run, OWNER), 'not_allowed'],
    ['skip a pending step: an admin', () => requireSkipper(featureRun().run, pendingStep(), ADMIN), null],
    [
      'skip a pending step: its owner',
      () => requireSkipper(featureRun().run, pendingStep(), OWNER),
      'not_owner',
    ],
    ['choose the chain: the requester', () => requireRequester(REQUESTER, REQ), null],
    ['choose the chain: an admin', () => requireRequester(ADMIN, REQ), null],
    ['choose the chain: someone else', () => requireRequester(STRANGER, REQ), 'not_requester'],
    ['set a role: an admin', () => requireAdmin(ADMIN, 'admins only'), null],
    ['set a role: anyone else', () => requireAdmin(OWNER, 'admins only'), 'not_admin'],
    [
      'GDPR: a Privacy holder',
      () => requireRoleHolder(actor(u('Privacy')), 'Privacy', [u('Privacy')], gdpr),
      null,
    ],
    ['GDPR: an admin', () => requireRoleHolder(ADMIN, 'Privacy', [u('Privacy')], gdpr), 'not_privacy'],
  ] as const)('%s', (_what, check, code) => {
    if (code === null) expect(check).not.toThrow();
    else expect(refusal(check).code).toBe(code);
  });

  it('names the requester as a user mention when refusing a cancel', () => {
    expect(refusal(() => requireCanceller(featureRun().run, OWNER)).text).toEqual([
      'Only the requester (',
      { user: REQ },
      ') or an admin can cancel FEAT-7.',
    ]);
  });

  it('lets an owner reassign only their own part; names an unknown role', () => {
    const { run, step } = featureRun();
    step.approvers = ['Ghabs'];
    const o = { held: ['Atlas'], pending: ['Atlas'] };
    expect(reassignRole(run, step, OWNER, o)).toBe('Atlas');
    expect(refusal(() => reassignRole(run, step, OWNER, { ...o, asked: 'ghabs' })).code).toBe('not_owner');
    expect(reassignRole(run, step, ADMIN, { ...o, asked: 'ghabs' })).toBe('Ghabs');
    expect(refusal(() => reassignRole(run, step, ADMIN, { ...o, asked: 'Nobody' })).code).toBe(
      'no_such_role',
    );
  });
});

const gdpr = {
  code: 'not_privacy' as const,
  doing: 'record the GDPR notification for FEAT-7',
  runId: 'FEAT-7',
};

function pendingStep(): Step {
  return featureRun().run.steps.find((s) => s.key === 'architecture_design')!;
}
