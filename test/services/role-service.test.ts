// The role service on a real, migrated SQLite database: roles.yml defaults seeded once, the
// directory listed with who holds each role, and admins alone changing holders, every change
// and every refusal in the event log.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRoleDirectory } from '../../routing/roles.ts';
import { createActors } from '../../src/core/actor.ts';
import type { Actor } from '../../src/domain/types.ts';
import { NotFoundError, RefusedError, ValidationError } from '../../src/errors.ts';
import { createRoleService, type RoleService } from '../../src/services/role-service.ts';
import { createTestEngine, type TestEngine } from '../support/engine.ts';

// Role names of their own, apart from the engine's roles.yml (which it seeds on its own).
const directory = parseRoleDirectory(
  `
roles:
  Chief:    { title: Chief, holders: [UCHIEF] }
  Builder:  { title: Builder, holders: [UB1, SBUILDERS], escalation: { direct: Lead, exec: Chief } }
  Lead:     { title: Team lead, escalation: { exec: Chief } }
  Auditor:  { title: Auditor, holders: [UAUDIT], escalation: { exec: Chief } }
independence: { roles: [Auditor], riskAcceptor: Chief }
`,
  'test-roles.yml',
);
const ADMIN = 'UADMIN';

let e: TestEngine;
let roles: RoleService;
let as: (userId: string) => Promise<Actor>;
beforeEach(async () => {
  e = await createTestEngine({ holders: false, sqlite: true });
  roles = createRoleService({ store: e.store, directory, clock: e.clock.now });
  const actors = createActors({ store: e.store, directory, adminUserIds: new Set([ADMIN]) });
  as = (userId) => actors.resolve({ kind: 'slack_user', userId });
});
afterEach(() => e.close());

/** The event log's entries with no run (role changes and refusals about roles), oldest first. */
function roleEvents() {
  return (
    e.db.sqlite
      .prepare('SELECT at, actor, type, data FROM events WHERE run_id IS NULL ORDER BY id')
      .all() as { at: number; actor: string; type: string; data: string }[]
  ).map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
}

async function rejection<T extends Error>(
  p: Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  const err = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(err).toBeInstanceOf(type);
  return err as T;
}

describe('listing roles', () => {
  it('when nothing was set, then every role of the directory is listed in its order with its title, default holders and escalation path', async () => {
    expect(await roles.listRoles()).toEqual([
      { role: 'Chief', title: 'Chief', holders: ['UCHIEF'], escalation: [] },
      { role: 'Builder', title: 'Builder', holders: ['UB1', 'SBUILDERS'], escalation: ['Lead', 'Chief'] },
      { role: 'Lead', title: 'Team lead', holders: [], escalation: ['Chief'] },
      { role: 'Auditor', title: 'Auditor', holders: ['UAUDIT'], escalation: ['Chief'] },
    ]);
    expect(await roles.holdersOf('Builder')).toEqual(['UB1', 'SBUILDERS']);
    expect(await roles.holdersOf('Nobody')).toEqual([]);
  });
});

describe('seeding defaults', () => {
  it('when defaults are seeded, then roles never set take them and a role an admin set keeps its holders', async () => {
    await roles.setRole(await as(ADMIN), 'Builder', ['UCHOSEN']);
    await roles.seedDefaults();
    expect(await e.store.read.roles.get('Chief')).toEqual(['UCHIEF']);
    expect(await e.store.read.roles.get('Lead')).toEqual([]);
    expect(await e.store.read.roles.get('Builder')).toEqual(['UCHOSEN']);
    // Seeding at every start changes nothing set since.
    await roles.setRole(await as(ADMIN), 'Chief', ['UNEWCHIEF']);
    await roles.seedDefaults();
    expect(await roles.holdersOf('Chief')).toEqual(['UNEWCHIEF']);
  });
});

describe('setting who holds a role', () => {
  it('when an admin sets a role by any spelling, then it is held by exactly those members, once each, and the change is logged', async () => {
    e.clock.advance(5_000);
    const holding = await roles.setRole(await as(ADMIN), '@builder', ['U22', 'SGROUP', 'U22', 'W33']);
    expect(holding).toEqual({
      role: 'Builder',
      title: 'Builder',
      holders: ['U22', 'SGROUP', 'W33'],
      escalation: ['Lead', 'Chief'],
    });
    expect(await roles.holdersOf('Builder')).toEqual(['U22', 'SGROUP', 'W33']);
    expect((await roles.listRoles()).find((r) => r.role === 'Builder')!.holders).toEqual([
      'U22',
      'SGROUP',
      'W33',
    ]);
    await roles.setRole(await as(ADMIN), 'Builder', ['U99']);
    expect(roleEvents()).toEqual([
      {
        at: e.clock.ms,
        actor: ADMIN,
        type: 'role_set',
        data: { role: 'Builder', before: ['UB1', 'SBUILDERS'], after: ['U22', 'SGROUP', 'W33'] },
      },
      {
        at: e.clock.ms,
        actor: ADMIN,
        type: 'role_set',
        data: { role: 'Builder', before: ['U22', 'SGROUP', 'W33'], after: ['U99'] },
      },
    ]);
  });

  it('when someone who is not an admin sets a role, then they are refused, the holders stay and the refusal is logged', async () => {
    const err = await rejection(roles.setRole(await as('UCHIEF'), 'Builder', ['UCHIEF']), RefusedError);
    expect(err.code).toBe('not_admin');
    expect(await roles.holdersOf('Builder')).toEqual(['UB1', 'SBUILDERS']);
    expect(await e.store.read.roles.get('Builder')).toBeNull();
    expect(roleEvents()).toEqual([
      {
        at: e.clock.ms,
        actor: 'UCHIEF',
        type: 'refused',
        data: {
          action: 'role_set',
          role: 'Builder',
          code: 'not_admin',
          reason: 'Only an admin can change who holds a role.',
        },
      },
    ]);
  });

  it('when someone who is not an admin names no members, then the refusal comes first', async () => {
    const err = await rejection(roles.setRole(await as('UB1'), 'Lead', []), RefusedError);
    expect(err.code).toBe('not_admin');
  });

  it('when the role does not exist, then not found, naming the roles there are; nothing is logged', async () => {
    const err = await rejection(roles.setRole(await as(ADMIN), 'Builders', ['U123']), NotFoundError);
    expect(err.code).toBe('unknown_role');
    expect(err.message).toContain('"Builders"');
    expect(err.message).toContain('Chief, Builder, Lead, Auditor');
    // Not found for anyone: the role is checked before who asks.
    expect((await rejection(roles.setRole(await as('UB1'), 'Nope', ['U123']), NotFoundError)).code).toBe(
      'unknown_role',
    );
    expect(roleEvents()).toEqual([]);
  });

  it.each([
    [[], 'no_members', /Name who holds @Lead/],
    [['U123', 'alice'], 'bad_member', /"alice" is not a user or user group ID/],
    [['<@U123>'], 'bad_member', /"<@U123>"/],
    [['C123'], 'bad_member', /"C123"/],
    [['u123'], 'bad_member', /"u123"/],
    [['U1'], 'bad_member', /"U1"/],
  ])('when an admin names members %j, then %s and the holders stay', async (members, code, message) => {
    const err = await rejection(roles.setRole(await as(ADMIN), 'Lead', members), ValidationError);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(await e.store.read.roles.get('Lead')).toBeNull();
    expect(roleEvents()).toEqual([]);
  });
});
