import type { EmployerKind, Level, PrimaryForm } from './levels';

/** An organization as the repos return it (camelCase); routes, services and views all name it. */
export interface OrgRow {
  id: number;
  parentId: number | null;
  level: Level;
  path: string;
  inpo: string;
  regionCode: number;
  name: string;
  shortName: string | null;
  hasTerritorialRights: boolean;
  employerKind: EmployerKind | null;
  /** the primary statistical form a ППО files (5-СП, 4-СП or 3-СП) */
  primaryForm: PrimaryForm;
  /** The employer's full name (the addressee of a member's application for dues withholding). */
  employerName: string | null;
  employerInn: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  /** When a mailing's letter to the passport's e-mail bounced for good (cleared when it is edited), and why. */
  emailInvalidAt: Date | null;
  emailInvalidReason: string | null;
  website: string | null;
  /** A ППО people may apply to online (/join); the passport's general tab turns it off. */
  onlineAdmission: boolean;
  createdOn: string;
  liquidatedOn: string | null;
  mergedIntoId: number | null;
  /** For subdivisions and groups: the ППО they belong to. */
  primaryId: number | null;
  /** Bumped by every change of the general data (optimistic locking of the passport form). */
  version: number;
}
