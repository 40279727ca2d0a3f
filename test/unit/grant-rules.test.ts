import { describe, expect, it } from 'vitest';
import { authorizeGrant, authorizeUserAccess, grantableRoles } from '../../src/access/grant-rules';
import type { Principal } from '../../src/access/principal';
import type { Role } from '../../src/access/roles';
import { ForbiddenError, NotFoundError } from '../../src/http/errors';

const UNION = '1';
const REGION = '1.2';
const PPO = '1.2.3.4';
const OTHER_REGION = '1.9';

function principal(id: number, ...grants: [Role, string, string][]): Principal {
  return {
    id,
    username: `u${id}`,
    fullName: 'Тест',
    mustChangePassword: false,
    memberId: null,
    secondFactorEnrolled: false,
    grants: grants.map(([role, path, level]) => ({
      role,
      organizationId: Number(path.split('.').at(-1)),
      organizationPath: path,
      organizationLevel: level,
      organizationInpo: path,
      organizationName: path,
    })),
  };
}

const admin = principal(1, ['admin', UNION, 'union']);
const coordinator = principal(2, ['coordinator', REGION, 'regional']);
const curator = principal(3, ['curator', REGION, 'regional']);

describe('who may grant what', () => {
  it('when the federal admin grants anything anywhere to someone else, then it is allowed', () => {
    for (const role of ['admin', 'coordinator', 'curator', 'chair'] as Role[])
      expect(() => authorizeGrant(admin, { userId: 9, role, organizationPath: PPO })).not.toThrow();
  });

  it('when a coordinator grants roles at or below their own inside their subtree, then it is allowed; admin is refused', () => {
    for (const role of ['coordinator', 'curator', 'chair', 'statistician', 'member'] as Role[]) {
      expect(() => authorizeGrant(coordinator, { userId: 9, role, organizationPath: PPO })).not.toThrow();
    }
    expect(() => authorizeGrant(coordinator, { userId: 9, role: 'admin', organizationPath: PPO })).toThrow(
      ForbiddenError,
    );
  });

  it('when a coordinator grants outside their subtree, then it is not found (404), not refused', () => {
    expect(() => authorizeGrant(coordinator, { userId: 9, role: 'chair', organizationPath: OTHER_REGION })).toThrow(
      NotFoundError,
    );
    // a sibling whose path merely starts with the same digits is outside too
    expect(() => authorizeGrant(coordinator, { userId: 9, role: 'chair', organizationPath: '1.23' })).toThrow(
      NotFoundError,
    );
  });

  it('when anyone grants to themselves, then it is refused, the federal admin included', () => {
    expect(() => authorizeGrant(admin, { userId: admin.id, role: 'chair', organizationPath: PPO })).toThrow(
      ForbiddenError,
    );
    expect(() => authorizeGrant(coordinator, { userId: coordinator.id, role: 'chair', organizationPath: PPO })).toThrow(
      ForbiddenError,
    );
  });

  it('when a curator grants, then it is refused: the role changes nothing', () => {
    expect(() => authorizeGrant(curator, { userId: 9, role: 'member', organizationPath: PPO })).toThrow(ForbiddenError);
    expect(grantableRoles(curator)).toEqual([]);
  });

  it('when the form lists roles, then a coordinator is offered every role but admin', () => {
    expect(grantableRoles(coordinator)).toEqual(['coordinator', 'curator', 'chair', 'statistician', 'member']);
    expect(grantableRoles(admin)).toContain('admin');
  });
});

describe('whose logins a manager sees and changes', () => {
  it('when a user has grants inside and outside the coordinator’s subtree, then the coordinator sees but does not change them', () => {
    const split = { id: 9, grantPaths: [PPO, OTHER_REGION] };
    expect(() => authorizeUserAccess(coordinator, split, false)).not.toThrow();
    expect(() => authorizeUserAccess(coordinator, split, true)).toThrow(ForbiddenError);
    expect(() => authorizeUserAccess(admin, split, true)).not.toThrow();
  });

  it('when a user has no grant in the subtree, then the coordinator does not find them; the federal admin finds users without grants', () => {
    expect(() => authorizeUserAccess(coordinator, { id: 9, grantPaths: [OTHER_REGION] }, false)).toThrow(NotFoundError);
    expect(() => authorizeUserAccess(admin, { id: 9, grantPaths: [] }, true)).not.toThrow();
    expect(() => authorizeUserAccess(curator, { id: 9, grantPaths: [PPO] }, false)).toThrow(NotFoundError);
  });
});
