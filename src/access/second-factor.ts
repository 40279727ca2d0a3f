import type { Principal } from './principal';
import type { Role } from './roles';

/**
 * Roles whose holders must sign in with a second factor (security.md: admin and coordinator; issue 14 adds
 * the read-only `curator`, which sees a whole subtree's personal data — add it here when the role exists).
 * A user holding any of them on any organization is sent to enrolment until a factor is confirmed.
 */
export const SECOND_FACTOR_ROLES: ReadonlySet<Role> = new Set<Role>(['admin', 'coordinator']);

export function secondFactorRequired(principal: Pick<Principal, 'grants'>): boolean {
  return principal.grants.some((g) => SECOND_FACTOR_ROLES.has(g.role));
}
