// RoleRepository: who holds each role, set by admins, seeded from roles.yml once.
import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.ts';
import { T0, useBackend } from './fixtures.ts';

export function describeRoleRepositoryContract(backend: Backend) {
  describe(`roles (${backend.name})`, () => {
    const db = useBackend(backend);

    it('when a role is set, then it is held by exactly those members, in order; set again, it is replaced', async () => {
      const { store } = db();
      expect(await store.read.roles.get('Architect')).toBeNull();
      await store.transaction((r) => r.roles.set('Architect', ['U2', 'SGROUP', 'U1'], 'UADMIN', T0));
      expect(await store.read.roles.get('Architect')).toEqual(['U2', 'SGROUP', 'U1']);
      await store.transaction((r) => r.roles.set('Architect', ['U3'], 'UADMIN', T0 + 1));
      expect(await store.read.roles.get('Architect')).toEqual(['U3']);
      await store.transaction((r) => r.roles.set('Architect', [], 'UADMIN', T0 + 2));
      expect(await store.read.roles.get('Architect')).toEqual([]);
    });

    it('when all roles are read, then every role set is there with its members', async () => {
      const { store } = db();
      expect(await store.read.roles.all()).toEqual(new Map());
      await store.transaction(async (r) => {
        await r.roles.set('Architect', ['U1'], 'UADMIN', T0);
        await r.roles.set('QAGuard', ['U2', 'U3'], 'UADMIN', T0);
      });
      expect(await store.read.roles.all()).toEqual(
        new Map([
          ['Architect', ['U1']],
          ['QAGuard', ['U2', 'U3']],
        ]),
      );
    });

    it('when defaults are seeded, then roles never set get them and roles already set keep theirs, even emptied', async () => {
      const { store } = db();
      await store.transaction(async (r) => {
        await r.roles.set('Architect', ['UCHOSEN'], 'UADMIN', T0);
        await r.roles.set('Privacy', [], 'UADMIN', T0);
      });
      const defaults = new Map([
        ['Architect', ['UDEFAULT']],
        ['Privacy', ['UDEFAULT']],
        ['QAGuard', ['UQA']],
      ]);
      await store.transaction((r) => r.roles.seed(defaults, T0 + 1));
      expect(await store.read.roles.all()).toEqual(
        new Map([
          ['Architect', ['UCHOSEN']],
          ['Privacy', []],
          ['QAGuard', ['UQA']],
        ]),
      );
      // Seeding again (every start) changes nothing set since.
      await store.transaction((r) => r.roles.set('QAGuard', ['UNEW'], 'UADMIN', T0 + 2));
      await store.transaction((r) => r.roles.seed(defaults, T0 + 3));
      expect(await store.read.roles.get('QAGuard')).toEqual(['UNEW']);
    });
  });
}
