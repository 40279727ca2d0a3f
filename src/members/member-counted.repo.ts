import type { Knex } from 'knex';
import { countedMembers } from '../membership/member-counts.repo';
import type { OrgRow } from '../registry/orgs.repo';
import { regionIdOf } from '../shared/org-paths';

// What the maintained counters (member_counts) tell a member list before it reads any card: the total of
// a filter they can count, and where in the union its matches lie.

/** The filters the counters count: the state, category, sex, pedagogical post and the ППО's employer kind. */
export interface CountedFilter {
  status: 'active' | 'left' | 'all';
  category?: string;
  sex?: 'm' | 'f';
  pedagogical?: boolean;
  employerKind?: string;
}

type Root = Pick<OrgRow, 'path' | 'level'>;

/**
 * The organizations registered under a ППО of the employer kind (the ППО, its subdivisions and groups, and
 * a child ППО's too) among those inside `within` (an SQL expression the caller binds after the kind; null:
 * the whole union), selected as `u.id` and, with `withRegion`, their region first.
 * `fromKinds` (the union, or one of its regions): the ППО of the kind lie inside it, and their subtrees are
 * read from them — 1,700 ППО of a rare kind instead of the ancestors of all 150,000 organizations (4.5 s for
 * the union's counters, issue 15). Otherwise (a region's ~2,000 organizations, or a root whose cards' ППО may
 * be its ancestor) each organization's ancestors (the labels of its path) are joined with the ППО of the kind.
 */
export function ofEmployerKind(
  kind: string,
  within: string | null,
  fromKinds: boolean,
  withRegion = false,
): { sql: string; bindings: Knex.RawBinding[] } {
  const select = withRegion ? 'region_of_path(u.path), u.id' : 'u.id';
  if (fromKinds)
    return {
      sql: `SELECT ${select} FROM organizations k JOIN organizations u ON u.path <@ k.path
             WHERE k.level = 'primary' AND k.employer_kind = ?${within ? ` AND k.path <@ ${within}` : ''}`,
      bindings: [kind],
    };
  return {
    sql: `SELECT ${select} FROM organizations u CROSS JOIN LATERAL unnest(string_to_array(ltree2text(u.path), '.')::int[]) AS a (id)
            JOIN organizations k ON k.id = a.id AND k.level = 'primary' AND k.employer_kind = ?
           WHERE ${within ? `u.path <@ ${within}` : 'true'}`,
    bindings: [kind],
  };
}

/** The counters of the cards a counted filter matches, summed as `count`. */
export function countedMatches(db: Knex, root: Root, filter: CountedFilter) {
  if (filter.employerKind && (root.level === 'union' || root.level === 'regional')) {
    const matching = matchCondition({ ...filter, employerKind: undefined }, root);
    return kindCounters(db, root, filter.employerKind)
      .modify((q) => (filter.status !== 'all' ? q.where('c.on_record', filter.status === 'active') : q))
      .whereRaw(matching.sql, matching.bindings);
  }
  const matching = matchCondition(filter, root);
  return countedMembers(db, root, !!filter.employerKind)
    .modify((q) => (filter.status !== 'all' ? q.where('c.on_record', filter.status === 'active') : q))
    .whereRaw(matching.sql, matching.bindings);
}

/**
 * A region's or the union's counters of the cards under a ППО of the kind, per region (region_kind_member_counts):
 * the union's were found among member_counts' 515,000 rows from the subtrees of the kind's ППО (44,000 schools:
 * 3.5–9 s under load, issue 15).
 */
function kindCounters(db: Knex, root: Root, kind: string) {
  const query = db('region_kind_member_counts as c')
    .select(db.raw('coalesce(sum(c.n), 0) AS count'))
    .where('c.employer_kind', kind);
  if (root.level === 'regional') query.where('c.region_id', regionIdOf(root.path));
  return query;
}

/** A counter row (`c`) matches the filter beyond its state: one condition with its values. */
function matchCondition(filter: CountedFilter, root: Root): { sql: string; bindings: Knex.RawBinding[] } {
  const parts: string[] = [];
  const bindings: Knex.RawBinding[] = [];
  const add = (sql: string, ...values: Knex.RawBinding[]) => {
    parts.push(sql);
    bindings.push(...values);
  };
  if (filter.category) add('c.category = ?', filter.category);
  if (filter.sex) add('c.sex = ?', filter.sex);
  if (filter.pedagogical !== undefined) add('c.is_pedagogical = ?', filter.pedagogical);
  if (filter.employerKind) {
    // the union's counters hold every organization: no path to test; by region and organization, each a key probe
    const union = root.level === 'union';
    const set = ofEmployerKind(filter.employerKind, union ? null : '?::ltree', union, true);
    add(
      `(c.region_id, c.organization_id) IN (${set.sql})`,
      ...set.bindings,
      ...(root.level === 'union' ? [] : [root.path]),
    );
  }
  return { sql: parts.length ? parts.join(' AND ') : 'true', bindings };
}

/**
 * How a page finds its rows in each region where the filter matches some card: `walk` the region's
 * sort index until the page is full (the matches are dense), or `gather` the matching cards through
 * their organizations and sort them (the employer kind's ППО hold few of the region's cards: walking
 * would read most of the index for them). Walking costs about page/density rows, gathering the matches
 * themselves: a region is walked when its matches² > page × its cards. A region without a match is in
 * neither, so no page reads it (a category nobody has took the union's page 2.8 s, issue 15).
 */
export interface RegionPlan {
  walk: number[];
  gather: number[];
  /** the matches the counters count in all those regions: the list's total when they count its whole filter */
  matches?: number;
}

export async function regionPlan(db: Knex, root: Root, filter: CountedFilter, page: number): Promise<RegionPlan> {
  // the matches and every card of each region apart: the cards from the per-region counters, the matches
  // from the counters of the kind's organizations alone (a flag on each of the union's 515,000 counters
  // tested a set of 150,000 organizations for each)
  const perRegion = (q: Knex.QueryBuilder) =>
    q.clearSelect().select('c.region_id', db.raw('sum(c.n) AS n')).groupBy('c.region_id');
  const cards = perRegion(countedMembers(db, root)).modify((q) =>
    filter.status !== 'all' ? q.where('c.on_record', filter.status === 'active') : q,
  );
  const { rows } = await db.raw(
    'SELECT x.region_id, x.n AS matches, c.n AS cards FROM (?) x JOIN (?) c USING (region_id)',
    [perRegion(countedMatches(db, root, filter)), cards],
  );
  const plan: RegionPlan = { walk: [], gather: [], matches: 0 };
  for (const r of rows as { region_id: number; matches: string | null; cards: string }[]) {
    const matches = Number(r.matches ?? 0);
    if (!matches) continue;
    plan.matches! += matches;
    const dense = !filter.employerKind || matches * matches > page * Number(r.cards);
    (dense ? plan.walk : plan.gather).push(r.region_id);
  }
  return plan;
}
