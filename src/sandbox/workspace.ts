// The sandbox's workspace: one person per role, named after it and holding it (Ghabs holds
// Ghabs, Atlas holds Atlas, …), a Requester, an admin, and the channels #product, #incidents
// (declare incidents from its messages) and #algo-sync (the digests). Ids follow the tests'
// convention (`U` + the role's name in capitals), so they are stable from one start to the next.
import type { RoleDirectory } from '../../routing/roles.ts';
import type { FakeChannel, FakeSlack } from '../slack-standin/fake-slack.ts';

export interface SandboxPerson {
  id: string;
  name: string;
  /** The role the person holds; none for the requester and the admin. */
  role: string | null;
  admin: boolean;
}

export const REQUESTER_ID = 'UREQUESTER';
export const ADMIN_ID = 'UADMIN';
export const PRODUCT_CHANNEL = 'CPRODUCT';
export const INCIDENT_CHANNEL = 'CINCIDENTS';
export const DIGEST_CHANNEL = 'CALGOSYNC';

export const CHANNELS: readonly FakeChannel[] = [
  { id: PRODUCT_CHANNEL, name: 'product' },
  { id: INCIDENT_CHANNEL, name: 'incidents' },
  { id: DIGEST_CHANNEL, name: 'algo-sync' },
];

/** The user who holds the role in the sandbox. */
export const personFor = (role: string): string => `U${role.toUpperCase()}`;

export function sandboxPeople(directory: RoleDirectory): SandboxPerson[] {
  return [
    { id: REQUESTER_ID, name: 'Requester', role: null, admin: false },
    ...directory.names.map((role) => ({ id: personFor(role), name: role, role, admin: false })),
    { id: ADMIN_ID, name: 'Admin', role: null, admin: true },
  ];
}

/** The people and channels, in the stand-in. */
export function furnish(standin: FakeSlack, people: readonly SandboxPerson[]): void {
  for (const p of people) standin.addUser({ id: p.id, name: p.name, realName: p.name, tz: 'UTC' });
  for (const c of CHANNELS) standin.addChannel(c);
}
