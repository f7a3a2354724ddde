// Setting a role: admins only, user groups checked with the workspace first; a refusal changes
// nothing and is a refused event.
import { describe, expect, it } from 'vitest';
import { ADMIN, createTestEngine, type TestEngine } from '../support/engine.ts';

const groups: Record<string, string[]> = { SPLATFORM: ['UP1', 'UP2'], SEMPTY: [] };
const lookup = async (id: string) => groups[id] ?? null;

function refusals(e: TestEngine) {
  return (
    e.db.sqlite.prepare("select actor, data from events where type = 'refused' order by id").all() as {
      actor: string;
      data: string;
    }[]
  ).map((r) => ({ actor: r.actor, ...JSON.parse(r.data) }));
}

describe('setRole with user groups', () => {
  it.each([
    ['SNOSUCH', 'unknown_usergroup'],
    ['SEMPTY', 'empty_usergroup'],
  ])('when the group %s is unknown or empty, then it is refused, recorded, and the role is unchanged', async (group, code) => {
    const e = await createTestEngine({ sqlite: true });
    await expect(
      e.roles.setRole(await e.as(ADMIN), 'Atlas', ['UNEW', group], { usergroups: lookup }),
    ).rejects.toMatchObject({
      code,
    });
    expect(await e.roles.holdersOf('Atlas')).toEqual(['UATLAS']);
    expect(await e.store.read.usergroups.groupsOf('UNEW')).toEqual([]);
    expect(refusals(e)).toEqual([
      expect.objectContaining({ actor: ADMIN, action: 'role_set', role: 'Atlas', code }),
    ]);
  });

  it('when Slack cannot be asked, then nothing changes and the answer says to try again', async () => {
    const e = await createTestEngine({ sqlite: true });
    const down = async () => {
      throw new Error('An API error occurred: missing_scope');
    };
    await expect(
      e.roles.setRole(await e.as(ADMIN), 'Atlas', ['SPLATFORM'], { usergroups: down }),
    ).rejects.toMatchObject({
      code: 'usergroup_unchecked',
      message: expect.stringMatching(/missing_scope.*try again/),
    });
    expect(await e.roles.holdersOf('Atlas')).toEqual(['UATLAS']);
  });

  it('when the group has members, then the role is held by it and its members are known with it', async () => {
    const e = await createTestEngine({ sqlite: true });
    await e.roles.setRole(await e.as(ADMIN), 'Atlas', ['SPLATFORM'], { usergroups: lookup });
    expect(await e.roles.holdersOf('Atlas')).toEqual(['SPLATFORM']);
    expect(await e.store.read.usergroups.groupsOf('UP2')).toEqual(['SPLATFORM']);
    expect(refusals(e)).toEqual([]);
  });
});
