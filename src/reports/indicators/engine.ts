import type { Knex } from 'knex';
import type { ColumnKey } from '../forms/form-schema';
import { INDICATORS, type Indicator, type IndicatorGroup } from './catalog';
import { ensureMemberStateCache } from './member-state-cache';
import { ROOTS, existsOn, periodOn, sqlDate } from './sql-fragments';

// Every indicator group is one set-based query over the subtrees of the given roots: the rows are
// grouped by root, so the children of a consolidating organization are computed in one pass too.
// Nothing is loaded member by member into JavaScript.

export type ColumnValues = Record<ColumnKey, number | null>;
export type IndicatorValues = Record<string, ColumnValues>;

export interface IndicatorRequest {
  rootIds: number[];
  date: string;
  /** movement indicators cover (periodStart, date] */
  periodStart: string;
  names: Iterable<string>;
  /** how to narrow the periods; chosen by the size of the subtrees unless given (tests compare both) */
  scope?: Scope;
}


/**
 * How the periods are narrowed to the subtrees: through the index per organization when the subtrees
 * are small; by reading every period when they cover most of the union (the planner cannot know how
 * many organizations an ltree range holds, and an index probe per organization for 150,000 of them
 * is ten times slower than one sequential scan).
 */
export type Scope = 'subtree' | 'everything' | 'union';
const inScope = (column: string, scope: Scope) => (scope === 'subtree' ? `AND ${column} IN (SELECT id FROM subtree)` : '');
const wholeUnion = (scope: Scope) => scope !== 'subtree';
const WHOLE_UNION_ORGS = 20_000;

/**
 * CTEs `subtree` (root_id, id) and `ppo_sizes` (ppo_id, n, working): the members registered in each
 * ППО or in its subdivisions and groups on a date, from one pass over the periods (a unit's ППО is
 * its parent or grandparent), instead of a subquery per ППО.
 */
export const ppoSizesCtes = (d: string, scope: Scope = 'subtree') => `subtree AS (SELECT r.root_id, o.id FROM roots r JOIN organizations o ON o.path <@ r.root_path),
  org_counts AS (${wholeUnion(scope)
    ? `SELECT organization_id, sum(n) AS n, sum(n) FILTER (WHERE category = 'working') AS working FROM member_state_cache WHERE as_of = ${d} GROUP BY 1`
    : `SELECT c.organization_id, count(*) AS n, count(*) FILTER (WHERE c.category = 'working') AS working
         FROM member_periods c WHERE ${periodOn('c', d)} ${inScope('c.organization_id', scope)} GROUP BY 1`}),
  ppo_of AS (SELECT u.id, CASE WHEN u.level = 'primary' THEN u.id WHEN pa.level = 'primary' THEN pa.id ELSE ga.id END AS ppo_id
               FROM organizations u LEFT JOIN organizations pa ON pa.id = u.parent_id LEFT JOIN organizations ga ON ga.id = pa.parent_id
              WHERE u.level IN ('primary','subdivision','group') ${inScope('u.id', scope)}),
  ppo_sizes AS (SELECT po.ppo_id, sum(oc.n) AS n, sum(oc.working) AS working FROM org_counts oc JOIN ppo_of po ON po.id = oc.organization_id GROUP BY 1)`;
const latestHeadcount = (org: string, d: string) =>
  `LEFT JOIN LATERAL (SELECT * FROM org_headcounts h WHERE h.organization_id = ${org}.id AND h.as_of <= ${d} ORDER BY h.as_of DESC LIMIT 1) h ON true`;

interface GroupShape {
  /** more CTEs after the roots CTE, if the group needs them */
  ctes?: (d: string, s: string, names: string[], scope: Scope) => string;
  /** the FROM … of the group, with rows carrying r.root_id */
  from: (d: string, s: string, names: string[], scope: Scope) => string;
  /** rows are counted as sum(n) of a pre-aggregated cube instead of count(*) */
  counted?: string;
  sex: string;
  /** the date youth is measured on */
  ageOn: (d: string) => string;
  birth: string;
  person?: string;
}

/** Members on record in the subtrees on a date: the rows of every membership indicator. */
const membersOnRecord = (d: string) => `FROM roots r JOIN organizations o ON o.path <@ r.root_path
      JOIN member_periods p ON p.organization_id = o.id AND ${periodOn('p', d)}
      JOIN members m ON m.id = p.member_id`;

/**
 * Members on record at the date and at the start of the period, from one pass over the periods,
 * pre-aggregated per organization and attribute (the cube: a few rows per organization instead of
 * one per member), so a union-wide count reads 4 M periods once and adds up a few hundred thousand rows.
 */
const memberCube = (d: string, s: string, _names: string[], scope: Scope) => `subtree AS (SELECT r.root_id, o.id FROM roots r JOIN organizations o ON o.path <@ r.root_path),
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
 * The cube added up per root first, so the indicators' filters run over a few dozen rows per root;
 * the union itself needs no organization-to-root mapping at all.
 */
const cubeFrom = (scope: Scope) => `FROM (SELECT s.root_id, x.category, x.is_pedagogical, x.on_parental_leave, x.sex, x.at_date, x.at_start, x.youth, x.youth_at_start, sum(x.n) AS n
                FROM ${scope === 'union' ? 'cube x CROSS JOIN roots s' : 'subtree s JOIN cube x ON x.organization_id = s.id'} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9) c
        JOIN roots r ON r.root_id = c.root_id`;

const GROUPS: Record<IndicatorGroup, GroupShape> = {
  state: { ctes: memberCube, from: (_d, _s, _n, scope) => cubeFrom(scope), counted: 'c.at_date', sex: 'c.sex', birth: '', ageOn: () => 'c.youth' },
  start: { ctes: memberCube, from: (_d, _s, _n, scope) => cubeFrom(scope), counted: 'c.at_start', sex: 'c.sex', birth: '', ageOn: () => 'c.youth_at_start' },
  movement: {
    // A period that starts in the window is an admission when nothing precedes it and an arrival by
    // transfer when its predecessor lies outside the subtree; a period that ends is an exit (with the
    // reason of its exit event) when nothing follows it, a transfer out when its successor lies outside.
    // (the outer alias is r, like the roots of the other groups, so `GROUP BY r.root_id` fits all)
    from: (d, s) => `FROM (
        SELECT r.root_id, m.sex, m.birth_date, p.valid_from AS on_date,
               CASE WHEN prev.id IS NULL THEN 'admitted' WHEN NOT (po.path <@ r.root_path) THEN 'transferred_in' END AS kind
          FROM roots r JOIN organizations o ON o.path <@ r.root_path
          JOIN member_periods p ON p.organization_id = o.id AND p.valid_from > ${s} AND p.valid_from <= ${d}
          JOIN members m ON m.id = p.member_id
          LEFT JOIN member_periods prev ON prev.member_id = p.member_id AND prev.valid_to = p.valid_from
          LEFT JOIN organizations po ON po.id = prev.organization_id
        UNION ALL
        SELECT r.root_id, m.sex, m.birth_date, p.valid_to,
               CASE WHEN nxt.id IS NULL THEN coalesce(ev.reason, 'other') WHEN NOT (no.path <@ r.root_path) THEN 'transferred_out' END
          FROM roots r JOIN organizations o ON o.path <@ r.root_path
          JOIN member_periods p ON p.organization_id = o.id AND p.valid_to > ${s} AND p.valid_to <= ${d}
          JOIN members m ON m.id = p.member_id
          LEFT JOIN member_periods nxt ON nxt.member_id = p.member_id AND nxt.valid_from = p.valid_to
          LEFT JOIN organizations no ON no.id = nxt.organization_id
          LEFT JOIN LATERAL (SELECT e.reason FROM membership_events e
                              WHERE e.member_id = p.member_id AND e.kind = 'left' AND e.happened_on = p.valid_to
                              ORDER BY e.id DESC LIMIT 1) ev ON true
      ) r WHERE kind IS NOT NULL`,
    sex: 'sex', birth: 'birth_date', ageOn: () => 'on_date',
  },
  cards: {
    // each card of a member on record, with the status its last move on or before the date gave it
    from: (d) => `${membersOnRecord(d)}
      JOIN union_cards c ON c.member_id = m.id
      JOIN LATERAL (SELECT e.to_status AS status FROM union_card_events e WHERE e.card_id = c.id AND e.happened_on <= ${d}
                     ORDER BY e.happened_on DESC, e.id DESC LIMIT 1) cs ON true`,
    sex: 'm.sex', birth: 'm.birth_date', ageOn: (d) => d,
  },
  headcount: {
    from: (d) => `FROM roots r JOIN organizations o ON o.path <@ r.root_path AND o.level = 'primary' AND ${existsOn('o', d)} ${latestHeadcount('o', d)}`,
    sex: 'NULL', birth: 'NULL', ageOn: (d) => d,
  },
  territory: {
    from: (d) => `FROM roots r JOIN organizations o ON o.path <@ r.root_path AND o.level = 'territorial' AND ${existsOn('o', d)} ${latestHeadcount('o', d)}`,
    sex: 'NULL', birth: 'NULL', ageOn: (d) => d,
  },
  officers: {
    from: (d) => `FROM roots r JOIN organizations o ON o.path <@ r.root_path
      JOIN org_officers f ON f.organization_id = o.id AND f.elected_on <= ${d} AND (f.ended_on IS NULL OR f.ended_on > ${d})
      LEFT JOIN members m ON m.id = f.member_id`,
    sex: 'coalesce(f.sex, m.sex)', birth: 'coalesce(f.birth_date, m.birth_date)', ageOn: (d) => d,
    person: "coalesce('m' || f.member_id::text, lower(f.surname || ' ' || f.name || ' ' || coalesce(f.patronymic, '') || ' ' || coalesce(f.birth_date::text, '')))",
  },
  structure: {
    // the sizes of the ППО only when a line asks for small ППО
    ctes: (d, _s, names, scope) => (names.includes('primary_small') ? ppoSizesCtes(d, scope) : ''),
    from: (d, _s, names) => `FROM roots r JOIN LATERAL (
        SELECT o.id, o.level, o.parent_id, o.employer_kind, o.has_territorial_rights,
               ${names.includes('primary_small') ? "CASE WHEN o.level = 'primary' THEN coalesce(ps.n, 0) END" : 'NULL::bigint'} AS size
          FROM organizations o ${names.includes('primary_small') ? 'LEFT JOIN ppo_sizes ps ON ps.ppo_id = o.id' : ''}
         WHERE o.path <@ r.root_path AND o.id <> r.root_id AND ${existsOn('o', d)}) u ON true`,
    sex: 'NULL', birth: 'NULL', ageOn: (d) => d,
  },
  agreements: {
    ctes: (d, _s, _names, scope) => ppoSizesCtes(d, scope),
    from: (d) => `FROM roots r JOIN organizations o ON o.path <@ r.root_path AND o.level = 'primary' AND ${existsOn('o', d)}
      LEFT JOIN collective_agreements ca ON ca.organization_id = o.id
      LEFT JOIN ppo_sizes ps ON ps.ppo_id = o.id
      ${latestHeadcount('o', d)}
      CROSS JOIN LATERAL (SELECT
        coalesce(ca.status IN ('active','expired') AND ca.valid_from <= ${d} AND ca.valid_to >= ${d}, false) AS active,
        (SELECT count(*) FROM agreement_annexes x WHERE x.organization_id = o.id) AS annexes,
        coalesce(ps.working, 0) AS working_members) a`,
    sex: 'NULL', birth: 'NULL', ageOn: (d) => d,
  },
  filings: {
    from: (d) => `FROM roots r JOIN organizations o ON o.path <@ r.root_path AND o.level = 'primary' AND o.id <> r.root_id
      JOIN reports rp ON rp.organization_id = o.id AND rp.report_date = ${d} AND rp.form_code IN ('5-SP','4-SP','3-SP') AND rp.status IN ('submitted','accepted')`,
    sex: 'NULL', birth: 'NULL', ageOn: (d) => d, person: 'o.id',
  },
};

function aggregates(group: GroupShape, names: string[], d: string, s: string): string[] {
  const bind = (sql: string) => sql.replaceAll(':date', d).replaceAll(':start', s);
  return names.flatMap((name) => {
    const ind = indicator(name);
    const where = bind(ind.where);
    const agg = (extra: string) => {
      if (group.counted) return `coalesce(sum(c.n) FILTER (WHERE ${group.counted} AND (${where})${extra}), 0)`;
      const filter = `FILTER (WHERE (${where})${extra})`;
      // a headcount nobody entered stays empty; an agreement that covers nobody covers zero
      if (ind.sum) return ind.group === 'agreements' ? `coalesce(sum(${ind.sum}) ${filter}, 0)` : `sum(${ind.sum}) ${filter}`;
      return ind.distinct || name === 'primary_filed' ? `count(DISTINCT ${group.person}) ${filter}` : `count(*) ${filter}`;
    };
    // a cube carries youth as a flag; other rows compare the birth date with the date youth is measured on
    const youth = group.counted ? group.ageOn(d) : `${group.birth} > (${group.ageOn(d)} - interval '35 years')`;
    return ind.columns.map((col) => {
      const extra = col === 'women' ? ` AND ${group.sex} = 'f'` : col === 'youth' ? ` AND ${youth}` : '';
      return `${agg(extra)} AS "${name}:${col}"`;
    });
  });
}

const indicator = (name: string): Indicator => {
  const ind = INDICATORS[name];
  if (!ind) throw new Error(`unknown indicator ${name}`);
  return ind;
};

/** Values of the requested indicators for each root: Map<rootId, {indicator: {total, women, youth}}>. */
export async function computeIndicators(db: Knex, req: IndicatorRequest): Promise<Map<number, IndicatorValues>> {
  const d = sqlDate(req.date);
  const s = sqlDate(req.periodStart);
  const byGroup = new Map<IndicatorGroup, string[]>();
  for (const name of new Set(req.names)) {
    const ind = indicator(name);
    byGroup.set(ind.group, [...(byGroup.get(ind.group) ?? []), name]);
  }
  const result = new Map<number, IndicatorValues>();
  for (const id of req.rootIds) {
    const empty: IndicatorValues = {};
    for (const names of byGroup.values()) {
      for (const name of names) {
        const ind = indicator(name);
        empty[name] = { total: ind.sum ? null : 0, women: ind.columns.includes('women') ? 0 : null, youth: ind.columns.includes('youth') ? 0 : null };
      }
    }
    result.set(id, empty);
  }
  const scope = req.scope ?? (await scopeOf(db, req.rootIds));
  if (wholeUnion(scope)) {
    const dates = [...(byGroup.has('state') || byGroup.has('structure') || byGroup.has('agreements') ? [req.date] : []), ...(byGroup.has('start') ? [req.periodStart] : [])];
    await ensureMemberStateCache(db, dates);
  }
  // members at the date and at the start come from one cube: one query for both groups
  const queries = [...byGroup].filter(([g]) => g !== 'start' || !byGroup.has('state')).map(([g, names]) => (g === 'state' ? [g, [...names, ...(byGroup.get('start') ?? [])]] : [g, names]) as [IndicatorGroup, string[]]);
  await Promise.all(
    queries.map(async ([groupName, names]) => {
      const group = GROUPS[groupName];
      const ctes = group.ctes?.(d, s, names, scope);
      const aggs = names.flatMap((n) => aggregates(GROUPS[indicator(n).group], [n], d, s));
      const sql = `${ROOTS}${ctes ? `, ${ctes}` : ''} SELECT r.root_id, ${aggs.join(', ')} ${group.from(d, s, names, scope)} GROUP BY r.root_id`;
      const { rows } = await inReportTransaction(db, scope, (trx) => trx.raw(sql, [req.rootIds]));
      for (const row of rows as Record<string, unknown>[]) {
        const values = result.get(Number(row.root_id));
        if (!values) continue;
        for (const name of names) {
          const target = values[name]!;
          for (const col of indicator(name).columns) {
            const v = row[`${name}:${col}`];
            target[col] = v == null ? null : Number(v);
          }
        }
      }
    }),
  );
  return result;
}

async function scopeOf(db: Knex, rootIds: number[]): Promise<Scope> {
  const { rows } = await db.raw(
    `${ROOTS} SELECT count(*)::int AS n, bool_and(r.root_path = o.path AND o.level = 'union') FILTER (WHERE o.id = r.root_id) AS union_root
       FROM roots r JOIN organizations o ON o.path <@ r.root_path`,
    [rootIds],
  );
  if (rows[0].n <= WHOLE_UNION_ORGS) return 'subtree';
  return rows[0].union_root && rootIds.length === 1 ? 'union' : 'everything';
}

/**
 * Whole-union queries aggregate millions of rows in hash tables: more memory than a page query gets.
 * Not for small subtrees: PostgreSQL sizes a hash table by its (ltree-blind, huge) estimate, and
 * allocating 50 MB to group ten rows cost a ППО's draft 35 ms. JIT is off: it compiled for 30 ms to
 * save nothing on a ППО's few hundred rows and little on the union.
 */
async function inReportTransaction<T>(db: Knex, scope: Scope, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    await trx.raw(`${wholeUnion(scope) ? "SET LOCAL work_mem = '256MB'; " : ''}SET LOCAL jit = off`);
    return work(trx);
  });
}

export interface CardRef {
  id: number;
  surname: string;
  name: string;
  patronymic: string | null;
  inpo: string;
}

/** The member cards behind a state indicator (the first `limit`, and how many there are). */
export async function listCards(db: Knex, rootId: number, indicator: string, date: string, periodStart: string, limit = 20): Promise<{ total: number; cards: CardRef[] }> {
  const ind = INDICATORS[indicator];
  if (!ind || (ind.group !== 'state' && ind.group !== 'start')) return { total: 0, cards: [] };
  const d = sqlDate(ind.group === 'start' ? periodStart : date);
  const { rows } = await db.raw(
    `${ROOTS} SELECT m.id, m.surname, m.name, m.patronymic, o.inpo, count(*) OVER () AS total
       FROM roots r JOIN organizations o ON o.path <@ r.root_path
       JOIN member_periods c ON c.organization_id = o.id AND ${periodOn('c', d)}
       JOIN members m ON m.id = c.member_id WHERE ${ind.where}
       ORDER BY m.surname, m.name, m.id LIMIT ${Number(limit)}`,
    [[rootId]],
  );
  return { total: Number(rows[0]?.total ?? 0), cards: rows.map((r: CardRef) => ({ id: Number(r.id), surname: r.surname, name: r.name, patronymic: r.patronymic, inpo: r.inpo })) };
}

/** Primary organizations of the subtree with no headcount on the date: the data gap behind coverage. */
export async function listMissingHeadcounts(db: Knex, rootId: number, date: string, limit = 20) {
  const d = sqlDate(date);
  const { rows } = await db.raw(
    `${ROOTS} SELECT o.inpo, o.name, count(*) OVER () AS total
       FROM roots r JOIN organizations o ON o.path <@ r.root_path AND o.level = 'primary' AND ${existsOn('o', d)}
      WHERE NOT EXISTS (SELECT 1 FROM org_headcounts h WHERE h.organization_id = o.id AND h.as_of <= ${d})
      ORDER BY o.name LIMIT ${Number(limit)}`,
    [[rootId]],
  );
  return { total: Number(rows[0]?.total ?? 0), orgs: rows.map((r: { inpo: string; name: string }) => ({ inpo: r.inpo, name: r.name })) };
}
