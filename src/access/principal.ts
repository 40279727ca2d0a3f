import type { Role } from './roles';

export interface Grant {
  role: Role;
  organizationId: number;
  organizationPath: string;
  organizationLevel: string;
  organizationInpo: string;
  organizationName: string;
}

/** The logged-in user as every guard sees it; loaded once per request. */
export interface Principal {
  id: number;
  username: string;
  fullName: string;
  mustChangePassword: boolean;
  /** A TOTP second factor is confirmed: login asks for a code after the password. */
  secondFactorEnrolled: boolean;
  memberId: number | null;
  grants: Grant[];
}

/** ltree containment without a query: `1.5.23` is inside `1.5`. */
export function pathWithin(path: string, ancestorPath: string): boolean {
  return path === ancestorPath || path.startsWith(`${ancestorPath}.`);
}
