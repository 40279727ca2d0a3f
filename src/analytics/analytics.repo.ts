import type { Knex } from 'knex';
import { periodOn, sqlDate, sqlDateColumn, type SqlDate } from '../reports/indicators/sql-fragments';
import { frameSince, rootsOn, under } from '../reports/indicators/tree-on-date';
import type { Dimension } from './dimensions';

// Members on record in one organization's subtree on a date, counted by one or two dimensions in one
// set-based query: the subtree as it stood on the date (tree-on-date.ts, like the reports), each member by
// the period open on the date (member_periods: sex, birth date, category and pedagogical post are the
// period's; the professional group and the date of joining are the card's). The rows are grouped in
// PostgreSQL: what comes back is a few dozen (key, key, count) rows whatever the subtree's size.

/** A dimension's value on one member period `p` (with card `m`, ППО `k`, organization `o`, root `r`). */
const KEY_SQL: Record<Dimension, (d: SqlDate, q: CrossQuery) => string> = {
  sex: () => 'p.sex::text',
  // the band's number: how many of the bands' lower bounds the age reaches — aged b or more on d is born on
  // or before d less b years, a date comparison per bound (age() per period cost the union's table a second)
  age: (d, q) =>
    `(${q.ageBounds.map((b) => `(p.birth_date <= (${d} - interval '${Math.trunc(Number(b))} years')::date)::int`).join(' + ') || '0'})::text`,
  category: () => 'p.category',
  pedagogical: () => 'p.is_pedagogical::text',
  group: () => `coalesce(nullif(btrim(m.professional_group), ''), '')`,
  tenure: (d) => `width_bucket(extract(year FROM age(${d}, m.joined_on))::int, :tenure::int[])::text`,
  employer: () => `coalesce(k.employer_kind, '')`,
  // the root's child holding the member's organization; '' for the root's own members
  child: () =>
    `CASE WHEN nlevel(o.path) > nlevel(r.root_path) THEN ltree2text(subpath(o.path, nlevel(r.root_path), 1)) ELSE '' END`,
};

const NEEDS_CARD: ReadonlySet<Dimension> = new Set(['group', 'tenure']);

export interface CrossCount {
  a: string;
  b: string;
  n: number;
}

export interface CrossQuery {
  rootId: number;
  date: string;
  dimensions: [Dimension] | [Dimension, Dimension];
  /** The age bands' lower bounds after the first band (≤35, 36–50, 51–60, 61+ → 36, 51, 61). */
  ageBounds: number[];
  tenureBounds: number[];
}

export async function crossCounts(db: Knex, q: CrossQuery): Promise<CrossCount[]> {
  const frame = await frameSince(db, [q.rootId], q.date);
  const d = sqlDate(q.date);
  const [first, second] = q.dimensions;
  const a = KEY_SQL[first](d, q);
  const b = second ? KEY_SQL[second](d, q) : `''`;
  const card = q.dimensions.some((x) => NEEDS_CARD.has(x)) ? 'JOIN members m ON m.id = p.member_id' : '';
  const ppo = q.dimensions.includes('employer') ? 'LEFT JOIN organizations k ON k.id = p.ppo_id' : '';
  // the whole union holds every period: its organizations are read only to name the child holding each
  const periods =
    frame.whole && !q.dimensions.includes('child')
      ? `member_periods p`
      : `roots r ${under(frame, 'o', d)} JOIN member_periods p ON p.organization_id = o.id`;
  const sql = `${rootsOn(frame, d)}
    SELECT ${a} AS a, ${b} AS b, count(*)::int AS n
      FROM ${periods} ${card} ${ppo}
     WHERE ${periodOn('p', d)}
     GROUP BY 1, 2`;
  const { rows } = await db.raw(sql.replaceAll(':bounds', '?').replaceAll(':tenure', '?'), bindingsOf(sql, q));
  return rows as CrossCount[];
}

/** The bindings in the order the query names them: the roots first, then the bands where they appear. */
function bindingsOf(sql: string, q: CrossQuery): number[][] {
  const named = [...sql.matchAll(/:bounds|:tenure/g)].map((m) => (m[0] === ':bounds' ? q.ageBounds : q.tenureBounds));
  return [[q.rootId], ...named];
}

/** Names of organizations by id (the child organizations of a cross-table), in the registry's order of names. */
export async function organizationNames(db: Knex, ids: number[]): Promise<{ id: number; name: string }[]> {
  if (!ids.length) return [];
  const { rows } = await db.raw(
    `SELECT id, coalesce(short_name, name) AS name FROM organizations WHERE id = ANY(?::int[]) ORDER BY name, id`,
    [ids],
  );
  return rows;
}

export interface MonthRow {
  month: string;
  onRecord: number;
  admitted: number;
  left: number;
  cardsIssued: number;
}

/**
 * By month from `from` to `to` (first days of months): members on record on the month's last day, admissions
 * and readmissions, exits, and union cards issued in the month, in the subtree as it stands on the last day.
 * One statement: the members on record from the periods' starts and ends added up month by month (a period
 * is read once, not once a month), the others grouped by month from the events.
 */
export async function monthlySeries(db: Knex, rootId: number, from: string, to: string): Promise<MonthRow[]> {
  const lastDay = lastDayOfMonth(to);
  const frame = await frameSince(db, [rootId], lastDay);
  const d = sqlDate(lastDay);
  const first = sqlDate(from);
  const month = (column: string) => `greatest(date_trunc('month', ${column})::date, ${first})`;
  const { rows } = await db.raw(
    `${rootsOn(frame, d)},
     subtree AS MATERIALIZED (SELECT o.id FROM roots r ${under(frame, 'o', d)}),
     months AS (SELECT generate_series(${first}, ${sqlDate(to)}, interval '1 month')::date AS month),
     periods AS (SELECT p.valid_from, p.valid_to FROM subtree s
                   JOIN member_periods p ON p.organization_id = s.id
                  WHERE p.valid_from <= ${d} AND (p.valid_to IS NULL OR p.valid_to > ${first})),
     steps AS (SELECT ${month('valid_from')} AS month, count(*) AS n FROM periods GROUP BY 1
               UNION ALL
               SELECT ${month('valid_to')}, -count(*) FROM periods WHERE valid_to <= ${d} GROUP BY 1),
     admitted AS (SELECT date_trunc('month', e.happened_on)::date AS month, count(*) AS n
                    FROM subtree s JOIN membership_events e ON e.to_organization_id = s.id
                   WHERE e.kind IN ('admitted', 'readmitted') AND e.happened_on BETWEEN ${first} AND ${d} GROUP BY 1),
     exits AS (SELECT date_trunc('month', e.happened_on)::date AS month, count(*) AS n
                 FROM subtree s JOIN membership_events e ON e.from_organization_id = s.id
                WHERE e.kind = 'left' AND e.happened_on BETWEEN ${first} AND ${d} GROUP BY 1),
     issued AS (SELECT date_trunc('month', ce.happened_on)::date AS month, count(*) AS n
                  FROM subtree s
                  JOIN member_periods p ON p.organization_id = s.id AND p.valid_from <= ${d} AND (p.valid_to IS NULL OR p.valid_to > ${first})
                  JOIN union_cards c ON c.member_id = p.member_id
                  JOIN union_card_events ce ON ce.card_id = c.id AND ${periodOn('p', sqlDateColumn('ce.happened_on'))}
                 WHERE ce.to_status = 'issued' AND ce.happened_on BETWEEN ${first} AND ${d} GROUP BY 1)
     SELECT to_char(m.month, 'YYYY-MM') AS month,
            (sum(coalesce((SELECT sum(n) FROM steps x WHERE x.month = m.month), 0)) OVER (ORDER BY m.month))::int AS "onRecord",
            coalesce((SELECT n FROM admitted a WHERE a.month = m.month), 0)::int AS admitted,
            coalesce((SELECT n FROM exits x WHERE x.month = m.month), 0)::int AS "left",
            coalesce((SELECT n FROM issued i WHERE i.month = m.month), 0)::int AS "cardsIssued"
       FROM months m ORDER BY m.month`,
    [[rootId]],
  );
  return rows;
}

/** '2026-02-01' → '2026-02-28'. */
export function lastDayOfMonth(firstDay: string): string {
  const [year, month] = firstDay.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}
