import type { Knex } from 'knex';
import type { OrgRow } from '../registry/orgs.repo';
import { regionIdOf } from '../shared/org-paths';

/** Members on record in a subtree, from the maintained counts: the query, for embedding in another. */
export function membersOnRecordQuery(db: Knex, root: Pick<OrgRow, 'path' | 'level'>) {
  return countedMembers(db, root).where('c.on_record', true);
}

export async function countMembersOnRecord(db: Knex, root: Pick<OrgRow, 'path' | 'level'>): Promise<number> {
  const row = await membersOnRecordQuery(db, root).first();
  return Number(row?.count ?? 0);
}

/**
 * The maintained counters of a subtree, summed; callers add their filters on `c` (its region, state,
 * category, sex and pedagogical post; `c.organization_id` only with `byOrganization`). The union's
 * counters without their organization are the per-region ones (region_member_counts: a few thousand rows
 * instead of member_counts' ~515,000, issue 15).
 */
export function countedMembers(db: Knex, root: Pick<OrgRow, 'path' | 'level'>, byOrganization = false) {
  const table = root.level === 'union' && !byOrganization ? 'region_member_counts' : 'member_counts';
  const query = db(`${table} as c`).select(db.raw('coalesce(sum(c.n), 0) AS count'));
  // every subtree below the union lies in one region: its counters are a range of the key
  if (root.level !== 'union') query.where('c.region_id', regionIdOf(root.path));
  if (root.level !== 'union' && root.level !== 'regional') {
    query.whereIn('c.organization_id', db('organizations').select('id').whereRaw('path <@ ?::ltree', [root.path]));
  }
  return query;
}

/** Folds the per-region counters' rows into one per key (the hourly housekeeping): each change adds its own. */
export async function compactRegionCounts(db: Knex): Promise<void> {
  await db.raw('SELECT region_member_counts_compact()');
}
