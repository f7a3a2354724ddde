// Who an escalation goes to. Pure. The policy, in order:
//   1. the owner role's escalation path from the role directory: direct lead → cross-functional
//      lead → exec (a run's requester, who holds no role, escalates to @ProjectLead);
//   2. tiers nobody holds are passed over (and said), the owner role itself is left out;
//   3. the n-th escalation of a step goes to the n-th remaining tier (0 = the first), so each
//      escalation reaches a tier not escalated to before; past the top it stays at the top;
//   4. when nobody on the path holds a role, the escalation ends with the admins
//      (ADMIN_USER_IDS), who can set the roles: it never goes to nobody.
import { REQUESTER_ROLE } from '../../../routing/plan.ts';
import type { RoleDirectory } from '../../../routing/roles.ts';
import type { EscalationTier } from '../../domain/clock-notices.ts';

export interface EscalationTarget {
  /** The owner role escalated from. */
  from: string;
  role: string;
  tier: EscalationTier;
  /** True when every tier was escalated to before and this repeats the top one. */
  repeated: boolean;
}

const TIERS: EscalationTier[] = ['direct', 'crossFunctional', 'exec'];

export function escalationTiers(
  directory: RoleDirectory,
  role: string,
): { role: string; tier: EscalationTier }[] {
  if (role === REQUESTER_ROLE) return [{ role: 'ProjectLead', tier: 'direct' }];
  const e = directory.config.roles[role]?.escalation ?? {};
  return TIERS.flatMap((tier) => (e[tier] ? [{ role: e[tier], tier }] : []));
}

export function escalationTarget(
  directory: RoleDirectory,
  ownerRole: string,
  n: number,
  holdersOf: (role: string) => string[],
): EscalationTarget | null {
  const path = escalationTiers(directory, ownerRole).filter(
    (t) => t.role !== ownerRole && holdersOf(t.role).length > 0,
  );
  if (path.length === 0) return null;
  const i = Math.min(n, path.length - 1);
  const t = path[i]!;
  return { from: ownerRole, role: t.role, tier: t.tier, repeated: n >= path.length };
}

/** The roles on the owner role's escalation path that nobody holds: passed over. */
export function unheldTiers(
  directory: RoleDirectory,
  ownerRole: string,
  holdersOf: (role: string) => string[],
): string[] {
  return escalationTiers(directory, ownerRole)
    .filter((t) => t.role !== ownerRole && holdersOf(t.role).length === 0)
    .map((t) => t.role);
}
