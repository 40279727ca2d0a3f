import type { Knex } from 'knex';
import type { OrgRow } from '../registry/orgs.repo';
import { regionIdOf } from '../shared/org-paths';

/** The members on record below the ППО `id` names (SQL), kept per ППО (ppo_member_counts): one row. */
const ppoOnRecord = (id: string) => `(SELECT p.on_record FROM ppo_member_counts p WHERE p.ppo_id = ${id})`;

/**
 * Members on record in a subtree, from the maintained counts: the query, for embedding in another. A ППО's
 * from its own row: summed from its region's counters, a ППО of the biggest region hashed all 5,366 of them
 * to find its two organizations' (164 buffers, most of its passport page's statement, issue 15).
 */
export function membersOnRecordQuery(db: Knex, root: Pick<OrgRow, 'id' | 'path' | 'level'>) {
  if (root.level === 'primary') return db.select(db.raw(`${ppoOnRecord('?')} AS count`, [root.id]));
  return countedMembers(db, root).where('c.on_record', true);
}

export async function countMembersOnRecord(db: Knex, root: Pick<OrgRow, 'id' | 'path' | 'level'>): Promise<number> {
  const row = await membersOnRecordQuery(db, root).first();
  return Number(row?.count ?? 0);
}

/**
 * Where the counters of a subtree are: their table and the conditions on them (`c`), the root named in SQL by
 * `at` (parameters, or the columns of a row the statement reads). The union's counters without their
 * organization are the per-region ones (region_member_counts: a few thousand rows instead of member_counts'
 * ~515,000, issue 15); every subtree below the union lies in one region: its counters are a range of the key.
 */
function countersAt(level: string, at: { regionId: string; path: string }, byOrganization = false) {
  const table = level === 'union' && !byOrganization ? 'region_member_counts' : 'member_counts';
  const conditions = level === 'union' ? [] : [`c.region_id = ${at.regionId}`];
  if (level !== 'union' && level !== 'regional')
    conditions.push(`c.organization_id IN (SELECT s.id FROM organizations s WHERE s.path <@ ${at.path})`);
  return { table, conditions };
}

/**
 * The maintained counters of a subtree, summed; callers add their filters on `c` (its region, state,
 * category, sex and pedagogical post; `c.organization_id` only with `byOrganization`).
 */
export function countedMembers(db: Knex, root: Pick<OrgRow, 'path' | 'level'>, byOrganization = false) {
  const { table, conditions } = countersAt(root.level, { regionId: '?', path: '?::ltree' }, byOrganization);
  const query = db(`${table} as c`).select(db.raw('coalesce(sum(c.n), 0) AS count'));
  // the conditions name the region, then the path: one parameter each
  const values = [regionIdOf(root.path), root.path];
  conditions.forEach((condition, i) => query.whereRaw(condition, [values[i]!]));
  return query;
}

/**
 * The members on record below the organization of the row `o` a statement reads, as one SQL expression: what
 * membersOnRecordQuery counts, for each level the row may have (its passport page's header, read with it).
 */
export const MEMBERS_ON_RECORD_OF_ROW = (() => {
  const row = { regionId: "(string_to_array(o.path::text, '.'))[2]::int", path: 'o.path' };
  const onRecord = (level: string) => {
    const { table, conditions } = countersAt(level, row);
    return `(SELECT coalesce(sum(c.n), 0) FROM ${table} c WHERE ${['c.on_record', ...conditions].join(' AND ')})`;
  };
  return `CASE WHEN o.level = 'union' THEN ${onRecord('union')}
               WHEN o.level = 'regional' THEN ${onRecord('regional')}
               WHEN o.level = 'primary' THEN ${ppoOnRecord('o.id')}
               ELSE ${onRecord('territorial')} END`;
})();

/** Folds the per-region counters' rows into one per key (the hourly housekeeping): each change adds its own. */
export async function compactRegionCounts(db: Knex): Promise<void> {
  await db.raw('SELECT region_member_counts_compact()');
}
