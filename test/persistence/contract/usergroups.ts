// UsergroupRepository: the cached members of Slack user groups, and which groups a user is in.
import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.ts';
import { T0, useBackend } from './fixtures.ts';

export function describeUsergroupRepositoryContract(backend: Backend) {
  describe(`usergroups (${backend.name})`, () => {
    const db = useBackend(backend);

    it('when a group’s members are cached, then get returns them with the refresh time; cached again, they are replaced', async () => {
      const { store } = db();
      expect(await store.read.usergroups.get('SDEV')).toBeNull();
      await store.transaction((r) => r.usergroups.set('SDEV', ['U1', 'U2'], T0));
      expect(await store.read.usergroups.get('SDEV')).toEqual({ members: ['U1', 'U2'], refreshedAt: T0 });
      await store.transaction((r) => r.usergroups.set('SDEV', ['U3'], T0 + 1));
      expect(await store.read.usergroups.get('SDEV')).toEqual({ members: ['U3'], refreshedAt: T0 + 1 });
    });

    it('when asked which groups a user is in, then exactly the groups whose members include that user', async () => {
      const { store } = db();
      await store.transaction(async (r) => {
        await r.usergroups.set('SDEV', ['U1', 'U2'], T0);
        await r.usergroups.set('SOPS', ['U2'], T0);
        // U1 is a prefix of U12: no partial matches.
        await r.usergroups.set('SQA', ['U12', 'XU1'], T0);
        await r.usergroups.set('SNONE', [], T0);
      });
      expect((await store.read.usergroups.groupsOf('U1')).sort()).toEqual(['SDEV']);
      expect((await store.read.usergroups.groupsOf('U2')).sort()).toEqual(['SDEV', 'SOPS']);
      expect(await store.read.usergroups.groupsOf('U9')).toEqual([]);
      await store.transaction((r) => r.usergroups.set('SDEV', ['U2'], T0 + 1));
      expect(await store.read.usergroups.groupsOf('U1')).toEqual([]);
    });
  });
}
