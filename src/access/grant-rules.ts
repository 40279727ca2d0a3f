import { NotFoundError, ForbiddenError } from '../http/errors';
import type { Principal } from './principal';
import { pathWithin } from '../shared/org-paths';
import { ROLE_RANK, roleMay, type Role } from './roles';

export interface GrantTarget {
  userId: number;
  role: Role;
  organizationPath: string;
}

/**
 * The one rule of who may grant (or revoke) what: a federal administrator anything; a coordinator only
 * roles at or below their own, only inside their subtree, never admin; nobody to themselves.
 * An organization outside every subtree of the principal answers 404 (ids are not probed), a refusal inside it 403.
 */
export function authorizeGrant(principal: Principal, target: GrantTarget): void {
  const covering = principal.grants.filter((g) => pathWithin(target.organizationPath, g.organizationPath));
  if (!covering.length) throw new NotFoundError();
  if (target.userId === principal.id) throw new ForbiddenError('Нельзя изменять собственные права');
  const allowed = covering.some((g) => {
    if (!roleMay(g.role, 'user.manage')) return false;
    if (g.role === 'admin') return true;
    return target.role !== 'admin' && ROLE_RANK[target.role] <= ROLE_RANK[g.role];
  });
  if (!allowed) throw new ForbiddenError('Эту роль на этой организации вы назначить не можете');
}

/** The roles a principal may grant somewhere: what the grant form offers. */
export function grantableRoles(principal: Principal): Role[] {
  const managing = principal.grants.filter((g) => roleMay(g.role, 'user.manage'));
  if (managing.some((g) => g.role === 'admin')) return Object.keys(ROLE_RANK) as Role[];
  const top = Math.max(-1, ...managing.map((g) => ROLE_RANK[g.role]));
  return (Object.keys(ROLE_RANK) as Role[]).filter((r) => r !== 'admin' && ROLE_RANK[r] <= top);
}

/** Subtrees in which the principal manages users (empty: the users section is closed to them). */
export function userManagementPaths(principal: Principal): string[] {
  return principal.grants.filter((g) => roleMay(g.role, 'user.manage')).map((g) => g.organizationPath);
}

/** The union's administrator: every user, with or without grants, is theirs. */
export function isFederalAdmin(principal: Principal): boolean {
  return principal.grants.some((g) => g.role === 'admin' && g.organizationLevel === 'union');
}

/**
 * A user is seen by a manager when one of the user's grants lies in the manager's subtree, and changed
 * (edited, blocked, deleted) only when all of them do: a coordinator of one region must not lock a
 * person out of another region's work. Users without grants are the federal administrator's.
 */
export function authorizeUserAccess(
  principal: Principal,
  user: { id: number; grantPaths: string[] },
  change: boolean,
): void {
  const managed = userManagementPaths(principal);
  const isFederal = isFederalAdmin(principal);
  const inside = (path: string) => managed.some((m) => pathWithin(path, m));
  if (!managed.length) throw new NotFoundError();
  if (!isFederal && !user.grantPaths.some(inside)) throw new NotFoundError();
  if (!change) return;
  if (user.id === principal.id) throw new ForbiddenError('Свою учётную запись меняйте в личном кабинете');
  if (!isFederal && !user.grantPaths.every(inside))
    throw new ForbiddenError('У пользователя есть права вне вашей организации: обратитесь к администратору');
}
