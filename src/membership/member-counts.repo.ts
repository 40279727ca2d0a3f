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

/** The maintained per-organization counters (member_counts) of a subtree, summed; callers add their filters. */
export function countedMembers(db: Knex, root: Pick<OrgRow, 'path' | 'level'>) {
  const query = db('member_counts as c').select(db.raw('coalesce(sum(c.n), 0) AS count'));
  // every subtree below the union lies in one region: its counters are a range of the key
  if (root.level !== 'union') query.where('c.region_id', regionIdOf(root.path));
  if (root.level !== 'union' && root.level !== 'regional') {
    query.whereIn('c.organization_id', db('organizations').select('id').whereRaw('path <@ ?::ltree', [root.path]));
  }
  return query;
}
