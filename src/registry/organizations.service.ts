/**
 * The registry's organizations as other features look them up (an ИНПО typed in a form or filter, the
 * organization of a grant or a job). Each takes the caller's handle, so it reads inside their transaction.
 */
export { findOrgById, findOrgByInpo, findUnionRoot } from './orgs.repo';
export type { OrgRow } from './org-row';
export { chairTermUntil } from './passport.repo';
