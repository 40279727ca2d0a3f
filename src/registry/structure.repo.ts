import type { Knex } from 'knex';
import { GAPS_SQL_INCOMPLETE } from './completeness';
import type { Level } from './levels';
import { INPO_PATTERN } from '../shared/inpo';
import type { ChildSort, OrgFilter } from './structure.schemas';
import { containsPattern } from '../shared/match-key';

export type { ChildSort, OrgFilter };

const CHILD_SORTS: Record<ChildSort, string> = {
  name: 'c.name, c.id',
  members: 'active DESC, c.name, c.id',
  coverage: 'coverage DESC NULLS LAST, c.name, c.id',
  incomplete: 'incomplete DESC, c.name, c.id',
};

export interface ChildSummary {
  id: number;
  inpo: string;
  name: string;
  level: Level;
  activeMembers: number;
  workingMembers: number;
  employees: number | null;
  /** Working members per 100 employees of the subtree's latest headcounts. */
  coverage: number | null;
  /** Organizations in the child's subtree (itself included) with an incomplete passport. */
  incomplete: number;
}

/** The figures of each child's subtree (`m` members, `h` employees, `g` incomplete passports) of a parent below the union. */
const SUBTREE_FIGURES = `sub AS (
       SELECT o.id, o.path, subpath(o.path, 0, nlevel(:path::ltree) + 1) AS child_path
         FROM organizations o WHERE o.path <@ :path::ltree AND o.path <> :path::ltree),
     m AS (
       SELECT s.child_path, sum(c.n) AS active, sum(c.n) FILTER (WHERE c.category = 'working') AS working
         FROM member_counts c JOIN sub s ON c.region_id = region_of_path(s.path) AND c.organization_id = s.id
        WHERE c.on_record GROUP BY 1),
     h AS (
       SELECT s.child_path, sum(latest.employees_total) AS employees
         FROM sub s
         JOIN LATERAL (SELECT employees_total FROM org_headcounts WHERE organization_id = s.id ORDER BY as_of DESC LIMIT 1) latest ON true
        GROUP BY 1),
     g AS (
       SELECT subpath(g.path, 0, nlevel(:path::ltree) + 1) AS child_path, count(*) FILTER (WHERE ${GAPS_SQL_INCOMPLETE}) AS incomplete
         FROM org_passport_gaps g WHERE g.path <@ :path::ltree AND g.path <> :path::ltree GROUP BY 1)`;

/**
 * The same for the union, whose children are the regions: each part is a region's maintained figures —
 * the members from the per-region counters (region_member_counts), the employees from the sum of the
 * latest headcounts (region_headcounts), the incomplete passports from passport_gap_counts — a few
 * thousand rows instead of every organization's counters and headcounts (issue 15: 1.2 s); each part is
 * computed once (MATERIALIZED: inlined, the counters were summed again for each of the 80 regions).
 */
const UNION_FIGURES = `m AS MATERIALIZED (
       SELECT r.path AS child_path, c.active, c.working
         FROM (SELECT region_id, sum(n) AS active, sum(n) FILTER (WHERE category = 'working') AS working
                 FROM region_member_counts WHERE on_record GROUP BY region_id) c
         JOIN organizations r ON r.id = c.region_id),
     h AS MATERIALIZED (
       SELECT r.path AS child_path, x.employees FROM region_headcounts x JOIN organizations r ON r.id = x.region_id),
     g AS MATERIALIZED (
       SELECT r.path AS child_path, x.incomplete FROM passport_gap_counts x JOIN organizations r ON r.id = x.region_id)`;

/**
 * The open children of one organization with figures for each child's whole subtree, in one statement:
 * every organization of the parent's subtree is visited once (its members from the maintained counters,
 * not the cards: a region's tab read 150,000 cards) and grouped by the child label of its path.
 * A parent has at most a few thousand children, so pages are LIMIT/OFFSET over that small set.
 */
export async function listChildren(
  db: Knex,
  parent: { id: number; path: string },
  sort: ChildSort,
  page: number,
  pageSize: number,
) {
  const { rows } = await db.raw(
    `WITH ${parent.path.includes('.') ? SUBTREE_FIGURES : UNION_FIGURES}
     SELECT c.id, c.inpo, c.name, c.level,
            coalesce(m.active, 0) AS active, coalesce(m.working, 0) AS working, h.employees,
            CASE WHEN h.employees > 0 THEN round(100.0 * coalesce(m.working, 0) / h.employees, 1) END AS coverage,
            coalesce(g.incomplete, 0) AS incomplete,
            count(*) OVER () AS total_children
       FROM organizations c
       LEFT JOIN m ON m.child_path = c.path
       LEFT JOIN h ON h.child_path = c.path
       LEFT JOIN g ON g.child_path = c.path
      WHERE c.parent_id = :id AND c.liquidated_on IS NULL
      ORDER BY ${CHILD_SORTS[sort]}
      LIMIT :limit OFFSET :offset`,
    { path: parent.path, id: parent.id, limit: pageSize, offset: (page - 1) * pageSize },
  );
  const children: ChildSummary[] = rows.map((r: Record<string, unknown>) => ({
    id: r.id as number,
    inpo: r.inpo as string,
    name: r.name as string,
    level: r.level as Level,
    activeMembers: Number(r.active),
    workingMembers: Number(r.working),
    employees: r.employees == null ? null : Number(r.employees),
    coverage: r.coverage == null ? null : Number(r.coverage),
    incomplete: Number(r.incomplete),
  }));
  const total = rows.length ? Number(rows[0].total_children) : await countChildren(db, parent.id);
  return { children, total };
}

async function countChildren(db: Knex, parentId: number): Promise<number> {
  const row = await db('organizations')
    .where({ parent_id: parentId })
    .whereNull('liquidated_on')
    .count<{ count: number }[]>('* as count')
    .first();
  return Number(row?.count ?? 0);
}

/**
 * The children that were liquidated or merged, newest first: kept apart from the open ones, whose table and
 * count the header's figure matches; the organization a merged one joined is named so its members can be found.
 */
export async function listLiquidatedChildren(db: Knex, parentId: number) {
  return db('organizations as c')
    .leftJoin('organizations as m', 'm.id', 'c.merged_into_id')
    .where('c.parent_id', parentId)
    .whereNotNull('c.liquidated_on')
    .orderBy([{ column: 'c.liquidated_on', order: 'desc' }, { column: 'c.name' }])
    .select<
      {
        inpo: string;
        name: string;
        level: Level;
        liquidatedOn: string;
        mergedIntoInpo: string | null;
        mergedIntoName: string | null;
      }[]
    >({
      inpo: 'c.inpo',
      name: 'c.name',
      level: 'c.level',
      liquidatedOn: 'c.liquidated_on',
      mergedIntoInpo: 'm.inpo',
      mergedIntoName: 'm.name',
    });
}

/**
 * ППО without a member on record in their subtree: the few rows at zero of the maintained per-ППО counters
 * (ppo_member_counts, partial index). Computed in the query, the union's search hashed every label of every
 * populated organization's path (1.4 M, once per parallel worker): 5.3 s under load (issue 15).
 */
const NO_MEMBERS = `o.level = 'primary' AND o.id IN (SELECT ppo_id FROM ppo_member_counts WHERE on_record = 0)`;

/** The passport filters of the search, over `organizations o` joined to `org_passport_gaps g` (the monitoring counts with them too). */
export const ORG_FILTERS: Record<OrgFilter, string> = {
  no_chair: 'g.no_chair',
  expired_term: 'g.chair_term_expired',
  no_term: 'g.no_chair_term',
  incomplete: GAPS_SQL_INCOMPLETE,
  no_members: NO_MEMBERS,
};

export interface SearchCursor {
  name: string;
  id: number;
}

/**
 * Organizations of a subtree by name fragment (trigram index) or exact ИНПО, and/or by a passport filter;
 * keyset-paginated on (name, id) in the Russian collation.
 */
export interface SubtreeSearch {
  q: string | null;
  filter: OrgFilter | null;
  /** Only organizations of this level (the monitoring's links: the ППО of a subtree). */
  level?: Level | null;
  after: SearchCursor | null;
  /** Only open organizations of these levels (a restructuring's possible targets). */
  openOfLevels?: readonly Level[];
  /** A restructuring's target rules that need no query of their own, applied before the page's LIMIT. */
  receiving?: ReceivingRules;
}

export interface ReceivingRules {
  /** Never the organization itself or its own subtree. */
  notWithin: string;
  /** Never this one (a move's current parent). */
  notId: number | null;
  /** A ППО receives a ППО only with a territorial organization's rights. */
  primaryNeedsTerritorialRights: boolean;
}

/** The first digits of an ИНПО: two (the region code) or more. */
const INPO_PREFIX = /^\d{2,9}$/;

/**
 * Where a found organization sits: its ancestors below the union, region first ('Региональная › Территориальная').
 * Read by primary key from the ids in its path, a handful of rows for each found organization of the page.
 */
const ANCESTOR_NAMES_SQL = `(SELECT string_agg(coalesce(a.short_name, a.name), ' › ' ORDER BY nlevel(a.path))
     FROM organizations a
    WHERE nlevel(o.path) > 2 AND a.id = ANY(string_to_array(ltree2text(subpath(o.path, 1, nlevel(o.path) - 2)), '.')::int[]))`;

export async function searchSubtree(db: Knex, rootPath: string, criteria: SubtreeSearch, pageSize: number) {
  const query = db('organizations as o')
    .join('org_passport_gaps as g', 'g.id', 'o.id')
    .whereRaw('o.path <@ ?::ltree', [rootPath])
    .select({
      id: 'o.id',
      inpo: 'o.inpo',
      name: 'o.name',
      level: 'o.level',
      noChair: 'g.no_chair',
      chairTermExpired: 'g.chair_term_expired',
      noChairTerm: 'g.no_chair_term',
      noEmail: 'g.no_email',
      noHeadcount: 'g.no_headcount',
    })
    .select(db.raw(`${ANCESTOR_NAMES_SQL} AS "parentPath"`))
    .orderBy([{ column: 'o.name' }, { column: 'o.id' }])
    .limit(pageSize + 1);
  // the name by match_key() (organizations_name_key_trgm): "ребенка" finds «…ребёнка»
  const nameLike = criteria.q ? containsPattern(criteria.q) : null;
  if (criteria.q && INPO_PATTERN.test(criteria.q)) query.where('o.inpo', criteria.q);
  // digits may begin an ИНПО or be part of a name («Школа № 100»): both, each from its own index
  else if (criteria.q && nameLike && INPO_PREFIX.test(criteria.q))
    query.where((w) =>
      w.whereRaw('o.inpo LIKE ?', [`${criteria.q}%`]).orWhereRaw('match_key(o.name) LIKE ?', [nameLike]),
    );
  else if (nameLike) query.whereRaw('match_key(o.name) LIKE ?', [nameLike]);
  if (criteria.filter) query.whereRaw(ORG_FILTERS[criteria.filter]);
  if (criteria.level) query.where('o.level', criteria.level);
  if (criteria.openOfLevels)
    query
      .whereIn('o.level', [...criteria.openOfLevels])
      .whereNull('o.liquidated_on')
      .select({ path: 'o.path', hasTerritorialRights: 'o.has_territorial_rights' });
  if (criteria.receiving) {
    const rules = criteria.receiving;
    query.whereRaw('NOT (o.path <@ ?::ltree)', [rules.notWithin]);
    if (rules.notId !== null) query.whereNot('o.id', rules.notId);
    if (rules.primaryNeedsTerritorialRights)
      query.where((w) => w.whereNot('o.level', 'primary').orWhere('o.has_territorial_rights', true));
  }
  if (criteria.after) query.whereRaw('(o.name, o.id) > (?, ?)', [criteria.after.name, criteria.after.id]);
  const rows = await query;
  const hasMore = rows.length > pageSize;
  const items = rows.slice(0, pageSize);
  const last = items[items.length - 1];
  return { items, next: hasMore && last ? { name: last.name as string, id: last.id as number } : null };
}
