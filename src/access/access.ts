import { NotFoundError, ForbiddenError } from '../http/errors';
import { pathWithin } from '../shared/org-paths';
import type { Grant, Principal } from './principal';
import { CHAIR_LIMITED_TO_OWN_UNITS, CHAIR_ONLY_BELOW, UNIT_LEVELS, roleMay, type Action } from './roles';

export interface OrgRef {
  id: number;
  path: string;
  level: string;
  /** For subdivisions and groups: the ППО they belong to (the nearest primary above). */
  primaryId?: number | null;
}

function grantAllows(grant: Grant, action: Action, org: OrgRef): boolean {
  if (!roleMay(grant.role, action) || !pathWithin(org.path, grant.organizationPath)) return false;
  if (grant.role === 'chair' && CHAIR_LIMITED_TO_OWN_UNITS.has(action)) {
    return org.id === grant.organizationId || (UNIT_LEVELS.has(org.level) && org.primaryId === grant.organizationId);
  }
  if (grant.role === 'chair' && CHAIR_ONLY_BELOW.has(action)) return org.id !== grant.organizationId;
  return true;
}

export function can(principal: Principal, action: Action, org: OrgRef): boolean {
  return principal.grants.some((g) => grantAllows(g, action, org));
}

/** Subdivisions and groups are created by whoever may create units (a chair in their own ППО); anything else is a restructuring. */
export function mayCreateChild(principal: Principal, parent: OrgRef, level: string): boolean {
  return can(principal, UNIT_LEVELS.has(level) ? 'org.units.create' : 'org.restructure', parent);
}

/** Whether the organization lies inside any subtree the user holds a grant on, whatever the grant allows. */
export function withinSubtrees(principal: Principal, org: Pick<OrgRef, 'path'>): boolean {
  return principal.grants.some((g) => pathWithin(org.path, g.organizationPath));
}

/** The only answer to "may this user do this to this organization": 404 outside the subtree, so ids can't be probed. */
export function authorize(principal: Principal, action: Action, org: OrgRef | undefined | null): asserts org is OrgRef {
  if (!org || !withinSubtrees(principal, org)) throw new NotFoundError();
  if (!can(principal, action, org)) throw new ForbiddenError();
}

/** The organization a member card is registered in, as the access rules see it. */
export function memberOrgRef(member: {
  organizationId: number;
  organizationPath: string;
  organizationLevel: string;
}): OrgRef {
  return { id: member.organizationId, path: member.organizationPath, level: member.organizationLevel };
}

/**
 * `can(principal, 'member.view', org)` as the subtrees it holds in, for SQL: a list shows a person's
 * present card only when the person is registered inside one of them (no chair limit applies to viewing).
 */
export function memberViewPaths(principal: Principal): string[] {
  return principal.grants.filter((g) => roleMay(g.role, 'member.view')).map((g) => g.organizationPath);
}

/**
 * Subtrees remembered from an earlier request (a background export), cut down to what the user still
 * holds now: a grant withdrawn since narrows them, a grant given since does not widen them.
 */
export function stillHeldPaths(remembered: string[], principal: Principal): string[] {
  const now = memberViewPaths(principal);
  return remembered.flatMap((path) =>
    now.flatMap((held) => (pathWithin(path, held) ? [path] : pathWithin(held, path) ? [held] : [])),
  );
}

/** The organizations a user "belongs to" for the header and the home page: the granted ones, deduplicated. */
export function homeOrganizations(
  principal: Principal,
): { id: number; inpo: string; name: string; path: string; level: string }[] {
  const seen = new Map<number, { id: number; inpo: string; name: string; path: string; level: string }>();
  for (const g of principal.grants) {
    if (!seen.has(g.organizationId)) {
      seen.set(g.organizationId, {
        id: g.organizationId,
        inpo: g.organizationInpo,
        name: g.organizationName,
        path: g.organizationPath,
        level: g.organizationLevel,
      });
    }
  }
  return [...seen.values()];
}
