import type { Knex } from 'knex';
import { INDICATORS } from './catalog';
import { existsOn, periodOn, sqlDate } from './sql-fragments';
import { rootsOn, treeSince, under } from './tree-on-date';

// What stands behind a figure of a report: the member cards a failed control counts, the ППО whose
// missing headcount leaves coverage uncounted. Read from the subtree as it stood on the date.

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
  const on = ind.group === 'start' ? periodStart : date;
  const tree = await treeSince(db, [rootId], on);
  const d = sqlDate(on);
  const { rows } = await db.raw(
    `${rootsOn(tree, d)} SELECT m.id, m.surname, m.name, m.patronymic, o.inpo, count(*) OVER () AS total
       FROM roots r ${under(tree, 'o', d)}
       JOIN member_periods c ON c.organization_id = o.id AND ${periodOn('c', d)}
       JOIN members m ON m.id = c.member_id WHERE ${ind.where}
       ORDER BY m.surname, m.name, m.id LIMIT ${Number(limit)}`,
    [[rootId]],
  );
  return { total: Number(rows[0]?.total ?? 0), cards: rows.map((r: CardRef) => ({ id: Number(r.id), surname: r.surname, name: r.name, patronymic: r.patronymic, inpo: r.inpo })) };
}

/** Primary organizations of the subtree with no headcount on the date: the data gap behind coverage. */
export async function listMissingHeadcounts(db: Knex, rootId: number, date: string, limit = 20) {
  const tree = await treeSince(db, [rootId], date);
  const d = sqlDate(date);
  const { rows } = await db.raw(
    `${rootsOn(tree, d)} SELECT o.inpo, o.name, count(*) OVER () AS total
       FROM roots r ${under(tree, 'o', d)} AND o.level = 'primary' AND ${existsOn('o', d)}
      WHERE NOT EXISTS (SELECT 1 FROM org_headcounts h WHERE h.organization_id = o.id AND h.as_of <= ${d})
      ORDER BY o.name LIMIT ${Number(limit)}`,
    [[rootId]],
  );
  return { total: Number(rows[0]?.total ?? 0), orgs: rows.map((r: { inpo: string; name: string }) => ({ inpo: r.inpo, name: r.name })) };
}
