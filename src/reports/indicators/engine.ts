import type { Knex } from 'knex';
import type { ColumnKey } from '../forms/form-schema';
import { INDICATORS, type Indicator, type IndicatorGroup } from './catalog';

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
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Dates are validated and inlined as literals (they appear many times in a query). */
export function sqlDate(iso: string): string {
  if (!ISO_DATE.test(iso)) throw new Error(`not an ISO date: ${iso}`);
  return `'${iso}'::date`;
}

const ROOTS = 'WITH roots AS (SELECT id AS root_id, path AS root_path FROM organizations WHERE id = ANY(?::int[]))';
export const existsOn = (alias: string, d: string) => `${alias}.created_on <= ${d} AND (${alias}.liquidated_on IS NULL OR ${alias}.liquidated_on > ${d})`;
export const periodOn = (alias: string, d: string) => `${alias}.valid_from <= ${d} AND (${alias}.valid_to IS NULL OR ${alias}.valid_to > ${d})`;
/** Members registered in a ППО or in its subdivisions and groups, on a date. */
export const ppoMembers = (ppo: string, d: string, extra = '') =>
  `(SELECT count(*) FROM organizations x JOIN member_periods xp ON xp.organization_id = x.id AND ${periodOn('xp', d)}${extra}
     WHERE x.path <@ ${ppo}.path AND (x.id = ${ppo}.id OR x.level IN ('subdivision','group')))`;
const latestHeadcount = (org: string, d: string) =>
  `LEFT JOIN LATERAL (SELECT * FROM org_headcounts h WHERE h.organization_id = ${org}.id AND h.as_of <= ${d} ORDER BY h.as_of DESC LIMIT 1) h ON true`;

interface GroupShape {
  /** the FROM … of the group (after the roots CTE), with rows carrying r.root_id */
  from: (d: string, s: string, names: string[]) => string;
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

const GROUPS: Record<IndicatorGroup, GroupShape> = {
  state: {
    from: membersOnRecord,
    sex: 'm.sex', birth: 'm.birth_date', ageOn: (d) => d,
  },
  start: {
    from: (_d, s) => membersOnRecord(s),
    sex: 'm.sex', birth: 'm.birth_date', ageOn: () => 'NULL', // only the total is used; youth is measured at the start date below
  },
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
    // the size of each ППО is a subquery per organization: only computed when a line asks for small ППО
    from: (d, _s, names) => `FROM roots r JOIN LATERAL (
        SELECT o.id, o.level, o.parent_id, o.employer_kind, o.has_territorial_rights,
               ${names.includes('primary_small') ? `CASE WHEN o.level = 'primary' THEN ${ppoMembers('o', d)} END` : 'NULL::bigint'} AS size
          FROM organizations o WHERE o.path <@ r.root_path AND o.id <> r.root_id AND ${existsOn('o', d)}) u ON true`,
    sex: 'NULL', birth: 'NULL', ageOn: (d) => d,
  },
  agreements: {
    from: (d) => `FROM roots r JOIN organizations o ON o.path <@ r.root_path AND o.level = 'primary' AND ${existsOn('o', d)}
      LEFT JOIN collective_agreements ca ON ca.organization_id = o.id
      ${latestHeadcount('o', d)}
      CROSS JOIN LATERAL (SELECT
        coalesce(ca.status IN ('active','expired') AND ca.valid_from <= ${d} AND ca.valid_to >= ${d}, false) AS active,
        (SELECT count(*) FROM agreement_annexes x WHERE x.organization_id = o.id) AS annexes,
        ${ppoMembers('o', d, " AND xp.category = 'working'")} AS working_members) a`,
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
      const filter = `FILTER (WHERE (${where})${extra})`;
      // a headcount nobody entered stays empty; an agreement that covers nobody covers zero
      if (ind.sum) return ind.group === 'agreements' ? `coalesce(sum(${ind.sum}) ${filter}, 0)` : `sum(${ind.sum}) ${filter}`;
      return ind.distinct || name === 'primary_filed' ? `count(DISTINCT ${group.person}) ${filter}` : `count(*) ${filter}`;
    };
    const ageOn = ind.group === 'start' ? s : group.ageOn(d);
    return ind.columns.map((col) => {
      const extra = col === 'women' ? ` AND ${group.sex} = 'f'` : col === 'youth' ? ` AND ${group.birth} > (${ageOn} - interval '35 years')` : '';
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
  await Promise.all(
    [...byGroup].map(async ([groupName, names]) => {
      const group = GROUPS[groupName];
      const sql = `${ROOTS} SELECT r.root_id, ${aggregates(group, names, d, s).join(', ')} ${group.from(d, s, names)} GROUP BY r.root_id`;
      const { rows } = await db.raw(sql, [req.rootIds]);
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
       ${membersOnRecord(d)} WHERE ${ind.where}
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
