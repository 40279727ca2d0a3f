/**
 * The structure tab's sort orders and the organization search's filters, as the URL names them.
 * structure.repo.ts maps each key to its SQL (a Record over these keys, so the two cannot drift).
 */
export const CHILD_SORT_KEYS = ['name', 'members', 'coverage', 'incomplete'] as const;
export type ChildSort = (typeof CHILD_SORT_KEYS)[number];

export const ORG_FILTER_KEYS = ['no_chair', 'expired_term', 'no_term', 'incomplete', 'no_members'] as const;
export type OrgFilter = (typeof ORG_FILTER_KEYS)[number];
