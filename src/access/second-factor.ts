import type { Principal } from './principal';
import type { Role } from './roles';

/**
 * Roles whose holders must sign in with a second factor: those who see a whole subtree's personal data —
 * the administrators, the coordinators and the read-only curators.
 * A user holding any of them on any organization is sent to enrolment until a factor is confirmed.
 */
export const SECOND_FACTOR_ROLES: ReadonlySet<Role> = new Set<Role>(['admin', 'coordinator', 'curator']);

export function secondFactorRequired(principal: Pick<Principal, 'grants'>): boolean {
  return principal.grants.some((g) => SECOND_FACTOR_ROLES.has(g.role));
}
