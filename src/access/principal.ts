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
