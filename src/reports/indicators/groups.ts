import { INDICATORS, type IndicatorGroup } from './catalog';
import { movementFrom } from './movement';
import { PRIMARY_FORMS } from '../../registry/levels';
import { FILED_STATUSES } from '../filing';
import { agreementActiveOn, existsOn, periodOn, sqlList, type SqlDate } from './sql-fragments';
import { BLOCK_BITS, belongs, orgsOn, periodsCountedIn, subtreeCte, under, type Frame } from './tree-on-date';

// The FROM of each indicator group: one set-based query over the subtrees of the roots (`roots r`,
// rows carrying r.key), with the tree of the report's date (tree-on-date.ts).
// Each group is declared once, in GROUPS: its query, whether the union's statistics keep it and the tables
// it reads. A new indicator is a line of the catalog over its group's aliases; a maintained group that comes
// to read another table needs a migration putting `union_stats_forget` triggers on it —
// test/integration/indicator-declarations.test.ts fails until the three agree.

/**
 * How the periods are narrowed to the subtrees: through the index per organization when the subtrees
 * are small; by reading every period when they cover most of the union (the planner cannot know how
 * many organizations an ltree range holds, and an index probe per organization for 150,000 of them
 * is ten times slower than one sequential scan).
 */
export type Scope = 'subtree' | 'everything' | 'union';
export const inScope = (column: string, scope: Scope) =>
  scope === 'subtree' ? `AND ${column} IN (SELECT id FROM subtree)` : '';
export const wholeUnion = (scope: Scope) => scope !== 'subtree';

/** What a group's SQL is built for: the date, the start of the period, the indicators asked, how. */
export interface GroupQuery {
  d: SqlDate;
  s: SqlDate;
  names: string[];
  scope: Scope;
  frame: Frame;
}

export interface GroupShape {
  /** the union's maintained statistics keep the group's indicators per block (union-stats.ts) */
  maintained: boolean;
  /**
   * The tables the group's queries read. For a maintained group, a change to any of them must forget the
   * statistics it touches: the `union_stats_forget*` triggers stand on the tables of forgettingTables()
   * (test/integration/indicator-declarations.test.ts compares the three: queries, declarations, triggers).
   */
  reads: readonly string[];
  /**
   * The date whose maintained member state (member_state_cache) the group counts for the whole union: it is
   * made complete for that date first. Every group that reads the member state declares it (indicator-declarations.test.ts).
   */
  memberStateOn?: 'date' | 'start';
  /** more CTEs after the roots CTE, if the group needs them */
  ctes?: (q: GroupQuery) => string;
  /** the FROM … of the group, with rows carrying r.key */
  from: (q: GroupQuery) => string;
  /** rows are counted as sum(n) of a pre-aggregated cube instead of count(*) */
  counted?: string;
  sex: string;
  /** the date youth is measured on */
  ageOn: (d: SqlDate) => string;
  birth: string;
  person?: string;
  /** in a block of the union: the row is the person's first post counted by indicator `name` (union-stats.ts) */
  firstPost?: (name: string) => string;
}

/**
 * CTEs `subtree` and `ppo_sizes` (ppo_id, n, working): the members registered in each ППО or in its
 * subdivisions and groups on a date, from one pass over the periods (a unit's ППО is itself, its parent
 * or its grandparent on that date), instead of a subquery per ППО.
 */
export const ppoSizesCtes = ({ d, scope, frame }: Pick<GroupQuery, 'd' | 'scope' | 'frame'>) => {
  // a block of the union holds ППО whose units may lie in other blocks: their counts are read by unit
  // (all blocks at once take every unit anyway)
  const counted =
    frame.blocks && scope === 'subtree'
      ? 'AND c.organization_id IN (SELECT id FROM ppo_of)'
      : inScope('c.organization_id', scope);
  return `${subtreeCte(frame, d)},
  ppo_of AS (${
    frame.blocks && scope === 'subtree'
      ? unitsOfBlockPpo(frame, d)
      : `SELECT u.id, CASE WHEN u.level = 'primary' THEN u.id WHEN pa.level = 'primary' THEN pa.id ELSE pa.parent_id END AS ppo_id
               FROM ${orgsOn(frame.tree, d)} u LEFT JOIN ${orgsOn(frame.tree, d)} pa ON pa.id = u.parent_id
              WHERE u.level IN ('primary','subdivision','group') ${inScope('u.id', scope)}`
  }),
  org_counts AS (${
    wholeUnion(scope)
      ? `SELECT organization_id, sum(n) AS n, sum(n) FILTER (WHERE category = 'working') AS working FROM member_state_cache WHERE as_of = ${d} GROUP BY 1`
      : `SELECT c.organization_id, count(*) AS n, count(*) FILTER (WHERE c.category = 'working') AS working
         FROM member_periods c WHERE ${periodOn('c', d)} ${counted} GROUP BY 1`
  }),
  ppo_sizes AS MATERIALIZED (SELECT po.ppo_id, sum(oc.n) AS n, sum(oc.working) AS working FROM org_counts oc JOIN ppo_of po ON po.id = oc.organization_id GROUP BY 1)`;
};

/** The ППО of the blocks with their subdivisions and groups (children, and groups of subdivisions) on d. */
function unitsOfBlockPpo(frame: Frame, d: SqlDate): string {
  const orgs = orgsOn(frame.tree, d);
  const ppo = `subtree s JOIN ${orgs} p ON p.id = s.id AND p.level = 'primary'`;
  const child = (c: string, parent: string) =>
    `JOIN ${orgs} ${c} ON ${c}.parent_id = ${parent}.id AND ${c}.level IN ('subdivision','group')`;
  return `SELECT p.id, p.id AS ppo_id FROM ${ppo}
    UNION ALL SELECT c.id, p.id FROM ${ppo} ${child('c', 'p')}
    UNION ALL SELECT g.id, p.id FROM ${ppo} ${child('c', 'p')} ${child('g', 'c')}`;
}
export const latestHeadcount = (org: string, d: SqlDate) =>
  `LEFT JOIN LATERAL (SELECT * FROM org_headcounts h WHERE h.organization_id = ${org}.id AND h.as_of <= ${d} ORDER BY h.as_of DESC LIMIT 1) h ON true`;

/** The collective agreement (alias ca) of one organization as the passport stated it on d: the latest version dated d or earlier. */
export const agreementOn = (orgId: string, d: SqlDate) =>
  `LEFT JOIN LATERAL (SELECT * FROM collective_agreement_history x WHERE x.organization_id = ${orgId} AND x.as_of <= ${d} ORDER BY x.as_of DESC LIMIT 1) ca ON true`;

/**
 * CTE `agreements_on`: every organization's agreement version of d, in one pass (a probe per ППО costs
 * a second over the union's 75,000), narrowed to the subtree when the subtrees are small. Needs `subtree`.
 */
export const agreementsOnCte = ({ d, scope }: Pick<GroupQuery, 'd' | 'scope'>) => `agreements_on AS MATERIALIZED (
    SELECT DISTINCT ON (x.organization_id) x.* FROM collective_agreement_history x
     WHERE x.as_of <= ${d} ${inScope('x.organization_id', scope)} ORDER BY x.organization_id, x.as_of DESC)`;

/** Members on record in the subtrees on a date: the rows of every membership indicator. */
const membersOnRecord = ({ d, frame }: GroupQuery) => `FROM roots r ${under(frame, 'o', d)}
      JOIN member_periods p ON p.organization_id = o.id AND ${periodOn('p', d)}
      JOIN members m ON m.id = p.member_id`;

/**
 * Members on record at the date and at the start of the period, from one pass over the periods,
 * pre-aggregated per organization and attribute (the cube: a few rows per organization instead of
 * one per member), so a union-wide count reads 4 M periods once and adds up a few hundred thousand rows.
 * A row is counted in the ППО of its periods (`counted_in`, tree-on-date.ts): the members a unit had at
 * the start of the period belong to the ППО it had then, whichever ППО holds it on the date.
 */
const memberCube = ({ d, s, scope, frame }: GroupQuery) => `${subtreeCte(frame, d)},
  cube AS (${
    scope === 'union'
      ? unionCube(d, s)
      : wholeUnion(scope)
        ? cachedCube(d, s, periodsCountedIn(frame))
        : liveCube(d, s, scope, periodsCountedIn(frame))
  })`;

/** The cube of the whole union from the maintained statistics (member-state-cache.ts). */
const cachedCube = (d: SqlDate, s: SqlDate, countedIn: string) => `
  SELECT ${countedIn} AS counted_in, category, is_pedagogical, on_parental_leave, sex, true AS at_date, false AS at_start, youth, false AS youth_at_start, n
    FROM member_state_cache WHERE as_of = ${d}
  UNION ALL
  SELECT ${countedIn}, category, is_pedagogical, on_parental_leave, sex, false, true, false, youth, n
    FROM member_state_cache WHERE as_of = ${s}`;

/**
 * The same for the union as its own root, which needs no organization: each date's 580,000 rows added up
 * by attribute where they are read (a few dozen rows), instead of passing all 1.16 M through the union of
 * the two dates into one grouping by nine keys (issue 15: 2.2–2.7 s → 0.8 s of the live union-wide 1-СП at
 * load 13, EXPLAIN ANALYZE of the group's statement, same figures).
 */
const unionCube = (d: SqlDate, s: SqlDate) => `
  SELECT NULL::int AS counted_in, category, is_pedagogical, on_parental_leave, sex, true AS at_date, false AS at_start, youth, false AS youth_at_start, sum(n) AS n
    FROM member_state_cache WHERE as_of = ${d} GROUP BY 2, 3, 4, 5, 8
  UNION ALL
  SELECT NULL::int, category, is_pedagogical, on_parental_leave, sex, false, true, false, youth, sum(n)
    FROM member_state_cache WHERE as_of = ${s} GROUP BY 2, 3, 4, 5, 9`;

const liveCube = (
  d: SqlDate,
  s: SqlDate,
  scope: Scope,
  countedIn: string,
) => `SELECT c.${countedIn} AS counted_in, c.category, c.is_pedagogical, c.on_parental_leave, c.sex,
                  (${periodOn('c', d)}) AS at_date, (${periodOn('c', s)}) AS at_start,
                  c.birth_date > (${d} - interval '35 years') AS youth, c.birth_date > (${s} - interval '35 years') AS youth_at_start, count(*) AS n
             FROM member_periods c
            WHERE ((${periodOn('c', d)}) OR (${periodOn('c', s)})) ${inScope(`c.${countedIn}`, scope)}
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;
/**
 * The cube added up per root first, so the indicators' filters run over a few dozen rows per root; an
 * organization counts at the date or at the start only when it lay in the subtree then. The union
 * itself needs no organization-to-root mapping at all.
 */
const cubeFrom = ({ scope, frame }: GroupQuery) => {
  const [rows, key, onDate, onStart] =
    scope === 'union'
      ? ['cube x CROSS JOIN roots s', 's.key', 'true', 'true']
      : // all blocks at once: an organization's block is its id's, no join to the 150,000 organizations needed
        frame.blocks && scope !== 'subtree'
        ? ['cube x', `x.counted_in >> ${BLOCK_BITS}`, 'true', 'true']
        : ['subtree s JOIN cube x ON x.counted_in = s.id', 's.key', 's.on_date', 's.on_start'];
  return `FROM (SELECT ${key} AS key, x.category, x.is_pedagogical, x.on_parental_leave, x.sex, x.at_date AND ${onDate} AS at_date, x.at_start AND ${onStart} AS at_start,
                       x.youth, x.youth_at_start, sum(x.n) AS n
                FROM ${rows} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9) c
        JOIN roots r ON r.key = c.key`;
};

/**
 * The person of an officer — a member card, or a person outside the registry — as alias m (sex, birth
 * date): the card looked up by id (hashing 4 M cards for 135,000 officers cost 3 s), the person joined (the
 * planner hashes the persons for the whole union instead of probing them 135,000 times: the join part of
 * the union's officer group 1.7 s → 0.6 s at load 12–19, EXPLAIN ANALYZE, same figures). At most one of
 * the two is set (org_officers_one_person). An officer recorded before officers were people has neither:
 * no sex, no age (a data gap, never guessed).
 */
const personOf = (f: string) => `LEFT JOIN persons pc ON pc.id = ${f}.person_id
      LEFT JOIN LATERAL (SELECT mc.sex, mc.birth_date FROM members mc WHERE mc.id = ${f}.member_id OFFSET 0) mc ON true
      CROSS JOIN LATERAL (SELECT coalesce(mc.sex, pc.sex) AS sex, coalesce(mc.birth_date, pc.birth_date) AS birth_date) m`;
const onPost = (f: string, d: SqlDate) => `${f}.elected_on <= ${d} AND (${f}.ended_on IS NULL OR ${f}.ended_on > ${d})`;
/**
 * Who an officer is, as a key that names nobody (a filed version keeps these for line 31): a member card,
 * a non-member person, or — for an officer without a person — the post itself. Compared byte-wise.
 */
export const personKey = (f: string) =>
  `coalesce('m' || ${f}.member_id::text, 'p' || ${f}.person_id::text, 'o' || ${f}.id::text) COLLATE "C"`;

/** Blocks of the union with distinct-person indicators to count. */
const countsOnce = (q: GroupQuery) => !!q.frame.blocks && q.names.some((n) => INDICATORS[n]!.distinct);

/**
 * CTE `first_posts (person, <indicator>…)`: for each person holding a post in the blocks, the lowest
 * organization id among their posts anywhere in the union that each distinct-person indicator counts —
 * the one block that counts them. (Posts of the blocks' persons are found through the member and person indexes.)
 */
function firstPostsCte({ d, s, names: asked, frame, scope }: GroupQuery): string {
  const bind = (sql: string) => sql.replaceAll(':date', d).replaceAll(':start', s);
  const firsts = asked
    .filter((n) => INDICATORS[n]!.distinct)
    .map((n) => `min(f.organization_id) FILTER (WHERE ${bind(INDICATORS[n]!.where)}) AS "${n}"`);
  const firstPosts = (theirs: string) => `first_posts AS (SELECT ${personKey('f')} AS person, ${firsts.join(', ')}
      FROM org_officers f JOIN ${orgsOn(frame.tree, d)} o ON o.id = f.organization_id
     WHERE ${onPost('f', d)} ${theirs} GROUP BY 1)`;
  // all blocks at once: every person
  if (scope !== 'subtree') return firstPosts('');
  return `block_officers AS (SELECT bf.id, bf.member_id, bf.person_id FROM roots r ${under(frame, 'bo', d)} JOIN org_officers bf ON bf.organization_id = bo.id),
  their_posts AS (SELECT f.id FROM block_officers b JOIN org_officers f ON f.member_id = b.member_id
                  UNION SELECT f.id FROM block_officers b JOIN org_officers f ON f.person_id = b.person_id
                  UNION SELECT id FROM block_officers WHERE member_id IS NULL AND person_id IS NULL),
  ${firstPosts('AND f.id IN (SELECT id FROM their_posts)')}`;
}

/** The tree of the date every group reads its subtrees in (tree-on-date.ts). */
const TREE = ['organizations', 'org_tree_history'];
/** The tree and the members on record: counted from the periods, or read from their maintained copy. */
const MEMBER_STATE = [...TREE, 'member_periods', 'member_state_cache'];

/**
 * Tables written only together with another one, whose triggers therefore forget the statistics for them:
 * the positions of the tree (by the triggers on organizations) and the member state (a copy of the periods,
 * forgotten by their triggers and rebuilt from them).
 */
const WRITTEN_WITH: Record<string, string> = {
  org_tree_history: 'organizations',
  member_state_cache: 'member_periods',
};

/** The tables whose changes must forget the union's maintained statistics: what the maintained groups read. */
export const forgettingTables = (): Set<string> =>
  new Set(
    Object.values(GROUPS)
      .filter((g) => g.maintained)
      .flatMap((g) => g.reads.map((table) => WRITTEN_WITH[table] ?? table)),
  );

const NO_PERSON = { sex: 'NULL', birth: 'NULL', ageOn: (d: SqlDate) => d };

export const GROUPS: Record<IndicatorGroup, GroupShape> = {
  state: {
    maintained: true,
    reads: MEMBER_STATE,
    memberStateOn: 'date',
    ctes: memberCube,
    from: cubeFrom,
    counted: 'c.at_date',
    sex: 'c.sex',
    birth: '',
    ageOn: () => 'c.youth',
  },
  start: {
    maintained: true,
    reads: MEMBER_STATE,
    memberStateOn: 'start',
    ctes: memberCube,
    from: cubeFrom,
    counted: 'c.at_start',
    sex: 'c.sex',
    birth: '',
    ageOn: () => 'c.youth_at_start',
  },
  movement: {
    maintained: true,
    reads: [...TREE, 'member_periods', 'membership_events'],
    from: movementFrom,
    sex: 'sex',
    birth: 'birth_date',
    ageOn: () => 'on_date',
  },
  cards: {
    maintained: false,
    reads: [...TREE, 'member_periods', 'members', 'union_cards', 'union_card_events'],
    // each card of a member on record, with the status its last move on or before the date gave it
    from: (q) => `${membersOnRecord(q)}
      JOIN union_cards c ON c.member_id = m.id
      JOIN LATERAL (SELECT e.to_status AS status FROM union_card_events e WHERE e.card_id = c.id AND e.happened_on <= ${q.d}
                     ORDER BY e.happened_on DESC, e.id DESC LIMIT 1) cs ON true`,
    sex: 'm.sex',
    birth: 'm.birth_date',
    ageOn: (d) => d,
  },
  headcount: {
    maintained: true,
    reads: [...TREE, 'org_headcounts'],
    from: ({ d, frame }) =>
      `FROM roots r ${under(frame, 'o', d)} AND o.level = 'primary' AND ${existsOn('o', d)} ${latestHeadcount('o', d)}`,
    ...NO_PERSON,
  },
  territory: {
    maintained: true,
    reads: [...TREE, 'org_headcounts'],
    from: ({ d, frame }) =>
      `FROM roots r ${under(frame, 'o', d)} AND o.level = 'territorial' AND ${existsOn('o', d)} ${latestHeadcount('o', d)}`,
    ...NO_PERSON,
  },
  officers: {
    // the officer's sex and birth date are the member card's or the person's
    maintained: true,
    reads: [...TREE, 'org_officers', 'members', 'persons'],
    sex: 'm.sex',
    birth: 'm.birth_date',
    ageOn: (d) => d,
    person: personKey('f'),
    firstPost: (name) => `f.organization_id = fp."${name}"`,
    ctes: (q) => (countsOnce(q) ? firstPostsCte(q) : ''),
    // the posts of an organization closed by a merge or a liquidation end with it (their rows keep no end date)
    from: (q) => `FROM roots r ${under(q.frame, 'o', q.d)}
      JOIN org_officers f ON f.organization_id = o.id AND ${onPost('f', q.d)} AND (o.liquidated_on IS NULL OR o.liquidated_on > ${q.d})
      ${personOf('f')} ${countsOnce(q) ? `LEFT JOIN first_posts fp ON fp.person = ${personKey('f')}` : ''}`,
  },
  structure: {
    maintained: true,
    reads: MEMBER_STATE,
    memberStateOn: 'date',
    // the sizes of the ППО only when a line asks for small ППО
    ctes: (q) => (q.names.includes('primary_small') ? ppoSizesCtes(q) : ''),
    from: ({ d, names, frame }) => `FROM roots r JOIN LATERAL (
        SELECT o.id, o.level, o.parent_id, o.employer_kind, o.has_territorial_rights,
               ${names.includes('primary_small') ? "CASE WHEN o.level = 'primary' THEN coalesce(ps.n, 0) END" : 'NULL::bigint'} AS size
          FROM ${orgsOn(frame.tree, d)} o ${names.includes('primary_small') ? 'LEFT JOIN ppo_sizes ps ON ps.ppo_id = o.id' : ''}
         WHERE ${belongs(frame, 'o')} AND o.id <> r.root_id AND ${existsOn('o', d)}) u ON true`,
    ...NO_PERSON,
  },
  agreements: {
    maintained: true,
    reads: [...MEMBER_STATE, 'collective_agreement_history', 'agreement_annexes', 'org_headcounts'],
    memberStateOn: 'date',
    ctes: (q) => `${ppoSizesCtes(q)}, ${agreementsOnCte(q)}`,
    from: ({ d, frame }) => `FROM roots r ${under(frame, 'o', d)} AND o.level = 'primary' AND ${existsOn('o', d)}
      LEFT JOIN agreements_on ca ON ca.organization_id = o.id
      LEFT JOIN ppo_sizes ps ON ps.ppo_id = o.id
      ${latestHeadcount('o', d)}
      CROSS JOIN LATERAL (SELECT
        ${agreementActiveOn('ca', d)} AS active,
        (SELECT count(*) FROM agreement_annexes x WHERE x.organization_id = o.id) AS annexes,
        coalesce(ps.working, 0) AS working_members) a`,
    ...NO_PERSON,
  },
  own_agreement: {
    maintained: false,
    reads: [...TREE, 'collective_agreement_history'],
    from: ({ d }) => `FROM roots r ${agreementOn('r.root_id', d)}
      CROSS JOIN LATERAL (SELECT ${agreementActiveOn('ca', d)} AS active) a`,
    ...NO_PERSON,
    person: 'r.root_id',
  },
  filings: {
    maintained: true,
    reads: [...TREE, 'reports'],
    from: ({ d, frame }) => `FROM roots r ${under(frame, 'o', d)} AND o.level = 'primary' AND o.id <> r.root_id
      JOIN reports rp ON rp.organization_id = o.id AND rp.report_date = ${d} AND rp.form_code IN (${sqlList(PRIMARY_FORMS)}) AND rp.status IN (${sqlList(FILED_STATUSES)})`,
    ...NO_PERSON,
    person: 'o.id',
  },
};
