import type { IndicatorGroup } from './catalog';
import { movementCtes, movementFrom } from './movement';
import { existsOn, periodOn } from './sql-fragments';
import { orgsOn, subtreeCte, under, type Tree } from './tree-on-date';

// The FROM of each indicator group: one set-based query over the subtrees of the roots (`roots r`,
// rows carrying r.root_id), with the tree of the report's date (tree-on-date.ts).

/**
 * How the periods are narrowed to the subtrees: through the index per organization when the subtrees
 * are small; by reading every period when they cover most of the union (the planner cannot know how
 * many organizations an ltree range holds, and an index probe per organization for 150,000 of them
 * is ten times slower than one sequential scan).
 */
export type Scope = 'subtree' | 'everything' | 'union';
export const inScope = (column: string, scope: Scope) => (scope === 'subtree' ? `AND ${column} IN (SELECT id FROM subtree)` : '');
export const wholeUnion = (scope: Scope) => scope !== 'subtree';

/** What a group's SQL is built for: the date, the start of the period, the indicators asked, how. */
export interface GroupQuery {
  d: string;
  s: string;
  names: string[];
  scope: Scope;
  tree: Tree;
}

export interface GroupShape {
  /** more CTEs after the roots CTE, if the group needs them */
  ctes?: (q: GroupQuery) => string;
  /** the FROM … of the group, with rows carrying r.root_id */
  from: (q: GroupQuery) => string;
  /** rows are counted as sum(n) of a pre-aggregated cube instead of count(*) */
  counted?: string;
  sex: string;
  /** the date youth is measured on */
  ageOn: (d: string) => string;
  birth: string;
  person?: string;
}

/**
 * CTEs `subtree` and `ppo_sizes` (ppo_id, n, working): the members registered in each ППО or in its
 * subdivisions and groups on a date, from one pass over the periods (a unit's ППО is itself, its parent
 * or its grandparent on that date), instead of a subquery per ППО.
 */
export const ppoSizesCtes = ({ d, s, scope, tree }: Pick<GroupQuery, 'd' | 's' | 'scope' | 'tree'>) => `${subtreeCte(tree, d, s)},
  org_counts AS (${wholeUnion(scope)
    ? `SELECT organization_id, sum(n) AS n, sum(n) FILTER (WHERE category = 'working') AS working FROM member_state_cache WHERE as_of = ${d} GROUP BY 1`
    : `SELECT c.organization_id, count(*) AS n, count(*) FILTER (WHERE c.category = 'working') AS working
         FROM member_periods c WHERE ${periodOn('c', d)} ${inScope('c.organization_id', scope)} GROUP BY 1`}),
  ppo_of AS (SELECT u.id, CASE WHEN u.level = 'primary' THEN u.id WHEN pa.level = 'primary' THEN pa.id ELSE pa.parent_id END AS ppo_id
               FROM ${orgsOn(tree, d)} u LEFT JOIN ${orgsOn(tree, d)} pa ON pa.id = u.parent_id
              WHERE u.level IN ('primary','subdivision','group') ${inScope('u.id', scope)}),
  ppo_sizes AS (SELECT po.ppo_id, sum(oc.n) AS n, sum(oc.working) AS working FROM org_counts oc JOIN ppo_of po ON po.id = oc.organization_id GROUP BY 1)`;
export const latestHeadcount = (org: string, d: string) =>
  `LEFT JOIN LATERAL (SELECT * FROM org_headcounts h WHERE h.organization_id = ${org}.id AND h.as_of <= ${d} ORDER BY h.as_of DESC LIMIT 1) h ON true`;

/** Members on record in the subtrees on a date: the rows of every membership indicator. */
const membersOnRecord = ({ d, tree }: GroupQuery) => `FROM roots r ${under(tree, 'o', d)}
      JOIN member_periods p ON p.organization_id = o.id AND ${periodOn('p', d)}
      JOIN members m ON m.id = p.member_id`;

/**
 * Members on record at the date and at the start of the period, from one pass over the periods,
 * pre-aggregated per organization and attribute (the cube: a few rows per organization instead of
 * one per member), so a union-wide count reads 4 M periods once and adds up a few hundred thousand rows.
 */
const memberCube = ({ d, s, scope, tree }: GroupQuery) => `${subtreeCte(tree, d, s)},
  cube AS (${wholeUnion(scope) ? cachedCube(d, s) : liveCube(d, s, scope)})`;

/** The cube of the whole union from the maintained statistics (member-state-cache.ts). */
const cachedCube = (d: string, s: string) => `
  SELECT organization_id, category, is_pedagogical, on_parental_leave, sex, true AS at_date, false AS at_start, youth, false AS youth_at_start, n
    FROM member_state_cache WHERE as_of = ${d}
  UNION ALL
  SELECT organization_id, category, is_pedagogical, on_parental_leave, sex, false, true, false, youth, n
    FROM member_state_cache WHERE as_of = ${s}`;

const liveCube = (d: string, s: string, scope: Scope) => `SELECT c.organization_id, c.category, c.is_pedagogical, c.on_parental_leave, c.sex,
                  (${periodOn('c', d)}) AS at_date, (${periodOn('c', s)}) AS at_start,
                  c.birth_date > (${d} - interval '35 years') AS youth, c.birth_date > (${s} - interval '35 years') AS youth_at_start, count(*) AS n
             FROM member_periods c
            WHERE ((${periodOn('c', d)}) OR (${periodOn('c', s)})) ${inScope('c.organization_id', scope)}
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;
/**
 * The cube added up per root first, so the indicators' filters run over a few dozen rows per root; an
 * organization counts at the date or at the start only when it lay in the subtree then. The union
 * itself needs no organization-to-root mapping at all.
 */
const cubeFrom = ({ scope }: GroupQuery) => {
  const [rows, onDate, onStart] = scope === 'union' ? ['cube x CROSS JOIN roots s', 'true', 'true'] : ['subtree s JOIN cube x ON x.organization_id = s.id', 's.on_date', 's.on_start'];
  return `FROM (SELECT s.root_id, x.category, x.is_pedagogical, x.on_parental_leave, x.sex, x.at_date AND ${onDate} AS at_date, x.at_start AND ${onStart} AS at_start,
                       x.youth, x.youth_at_start, sum(x.n) AS n
                FROM ${rows} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9) c
        JOIN roots r ON r.root_id = c.root_id`;
};

const NO_PERSON = { sex: 'NULL', birth: 'NULL', ageOn: (d: string) => d };

export const GROUPS: Record<IndicatorGroup, GroupShape> = {
  state: { ctes: memberCube, from: cubeFrom, counted: 'c.at_date', sex: 'c.sex', birth: '', ageOn: () => 'c.youth' },
  start: { ctes: memberCube, from: cubeFrom, counted: 'c.at_start', sex: 'c.sex', birth: '', ageOn: () => 'c.youth_at_start' },
  movement: { ctes: movementCtes, from: movementFrom, sex: 'sex', birth: 'birth_date', ageOn: () => 'on_date' },
  cards: {
    // each card of a member on record, with the status its last move on or before the date gave it
    from: (q) => `${membersOnRecord(q)}
      JOIN union_cards c ON c.member_id = m.id
      JOIN LATERAL (SELECT e.to_status AS status FROM union_card_events e WHERE e.card_id = c.id AND e.happened_on <= ${q.d}
                     ORDER BY e.happened_on DESC, e.id DESC LIMIT 1) cs ON true`,
    sex: 'm.sex', birth: 'm.birth_date', ageOn: (d) => d,
  },
  headcount: {
    from: ({ d, tree }) => `FROM roots r ${under(tree, 'o', d)} AND o.level = 'primary' AND ${existsOn('o', d)} ${latestHeadcount('o', d)}`,
    ...NO_PERSON,
  },
  territory: {
    from: ({ d, tree }) => `FROM roots r ${under(tree, 'o', d)} AND o.level = 'territorial' AND ${existsOn('o', d)} ${latestHeadcount('o', d)}`,
    ...NO_PERSON,
  },
  officers: {
    from: ({ d, tree }) => `FROM roots r ${under(tree, 'o', d)}
      JOIN org_officers f ON f.organization_id = o.id AND f.elected_on <= ${d} AND (f.ended_on IS NULL OR f.ended_on > ${d})
      LEFT JOIN members m ON m.id = f.member_id`,
    sex: 'coalesce(f.sex, m.sex)', birth: 'coalesce(f.birth_date, m.birth_date)', ageOn: (d) => d,
    person: "coalesce('m' || f.member_id::text, lower(f.surname || ' ' || f.name || ' ' || coalesce(f.patronymic, '') || ' ' || coalesce(f.birth_date::text, '')))",
  },
  structure: {
    // the sizes of the ППО only when a line asks for small ППО
    ctes: (q) => (q.names.includes('primary_small') ? ppoSizesCtes(q) : ''),
    from: ({ d, names, tree }) => `FROM roots r JOIN LATERAL (
        SELECT o.id, o.level, o.parent_id, o.employer_kind, o.has_territorial_rights,
               ${names.includes('primary_small') ? "CASE WHEN o.level = 'primary' THEN coalesce(ps.n, 0) END" : 'NULL::bigint'} AS size
          FROM ${orgsOn(tree, d)} o ${names.includes('primary_small') ? 'LEFT JOIN ppo_sizes ps ON ps.ppo_id = o.id' : ''}
         WHERE o.path <@ r.root_path AND o.id <> r.root_id AND ${existsOn('o', d)}) u ON true`,
    ...NO_PERSON,
  },
  agreements: {
    ctes: ppoSizesCtes,
    from: ({ d, tree }) => `FROM roots r ${under(tree, 'o', d)} AND o.level = 'primary' AND ${existsOn('o', d)}
      LEFT JOIN collective_agreements ca ON ca.organization_id = o.id
      LEFT JOIN ppo_sizes ps ON ps.ppo_id = o.id
      ${latestHeadcount('o', d)}
      CROSS JOIN LATERAL (SELECT
        coalesce(ca.status IN ('active','expired') AND ca.valid_from <= ${d} AND ca.valid_to >= ${d}, false) AS active,
        (SELECT count(*) FROM agreement_annexes x WHERE x.organization_id = o.id) AS annexes,
        coalesce(ps.working, 0) AS working_members) a`,
    ...NO_PERSON,
  },
  filings: {
    from: ({ d, tree }) => `FROM roots r ${under(tree, 'o', d)} AND o.level = 'primary' AND o.id <> r.root_id
      JOIN reports rp ON rp.organization_id = o.id AND rp.report_date = ${d} AND rp.form_code IN ('5-SP','4-SP','3-SP') AND rp.status IN ('submitted','accepted')`,
    ...NO_PERSON, person: 'o.id',
  },
};
