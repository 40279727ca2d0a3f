import type { Knex } from 'knex';
import type { OrgRow } from '../registry/orgs.repo';
import { regionIdOf } from '../shared/org-paths';
import { countedMatches } from './member-counted.repo';
import { countHoldingMatches, type HoldingFilter } from './member-holding-counted.repo';

// The member list's employer kind read from organization_employer_kinds (each organization with the kinds of
// the ППО on its path, kept by triggers): the kind's organizations as a set, and whether a root's cards are
// mostly of the kind, so that each card is better tested on its own than found through the set.

type Root = Pick<OrgRow, 'id' | 'path' | 'level'>;

/**
 * The organizations under a ППО of the kind inside `within` (an SQL expression bound after the kind; null: the
 * whole union), as one column. Read from the kept rows: asking the ancestors of each of the union's 150,000
 * organizations took 0.6–1.2 s before every union page, count and first read by this filter (issue 15).
 */
export function kindOrganizations(kind: string, within: string | null): { sql: string; bindings: Knex.RawBinding[] } {
  if (within === null)
    return {
      sql: 'SELECT k.organization_id FROM organization_employer_kinds k WHERE k.employer_kind = ?',
      bindings: [kind],
    };
  return {
    sql: `SELECT u.id FROM organization_employer_kinds k JOIN organizations u ON u.id = k.organization_id
           WHERE k.employer_kind = ? AND u.path <@ ${within}`,
    bindings: [kind],
  };
}

/** A kind held by this share of a root's cards or more is dense there (see isKindDense). */
const DENSE_SHARE = 0.25;

/**
 * Whether at least a quarter of the root's cards on record are under a ППО of the kind (the counters per region
 * and kind, region_kind_member_counts): their set of organizations then leads to most of the root's cards, and
 * reading them all through it before the first match (2.27 M cards of the union's schools: 2.4 s for a count
 * that stops at 20,001) costs more than testing each card read in any order (one probe of an index: 0.75 s).
 */
export async function isKindDense(db: Knex, root: Root, kind: string): Promise<boolean> {
  if (root.level !== 'union' && root.level !== 'regional') return false;
  const region = root.level === 'regional' ? regionIdOf(root.path) : null;
  const inRoot = (q: Knex.QueryBuilder) => (region === null ? q : q.where('c.region_id', region));
  const {
    rows: [row],
  } = await db.raw('SELECT (?) AS kind, (?) AS cards', [
    inRoot(db('region_kind_member_counts as c').where({ 'c.employer_kind': kind, 'c.on_record': true })).sum('c.n'),
    inRoot(db('region_member_counts as c').where('c.on_record', true)).sum('c.n'),
  ]);
  return Number(row.kind ?? 0) >= DENSE_SHARE * Number(row.cards ?? 0) && Number(row.cards ?? 0) > 0;
}

/**
 * The share of the root's cards (of the list's state) holding what the filter asks (union cards, consents;
 * member-holding-counted.repo), each holding taken as independent of the others and of the employer kind.
 * A page by a kind and a holding walks a region's sort index until its rows match both: the kind's matches
 * alone (member-counted.repo's RegionPlan) took the union's ППО of a rare kind with a virtual card as dense,
 * and each of 78 regions walked ~2,200 cards for 5 rows (169,000 cards, 378,000 buffers, 2.4–3.2 s under load).
 */
export async function heldShare(db: Knex, root: Root, f: HoldingFilter): Promise<number> {
  const [held, all] = await Promise.all([
    countHoldingMatches(db, root, f),
    countedMatches(db, root, { status: f.status }).first(),
  ]);
  const cards = Number(all?.count ?? 0);
  return cards ? held.reduce((share, n) => share * Math.min(1, n / cards), 1) : 1;
}
