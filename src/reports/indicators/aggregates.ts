import { INDICATORS, type Indicator } from './catalog';
import type { IndicatorValues } from './engine';
import type { GroupQuery, GroupShape } from './groups';

// The SELECT list of a group's query: for every indicator and column, one aggregate with the
// indicator's filter (and the column's: women, under 35).

export const indicator = (name: string): Indicator => {
  const ind = INDICATORS[name];
  if (!ind) throw new Error(`unknown indicator ${name}`);
  return ind;
};

/** An amount nobody has is absent (a headcount nobody entered), not 0; an agreement that covers nobody covers zero. */
export const absentWhenNone = (ind: Indicator) => !!ind.sum && ind.group !== 'agreements';

/** What an indicator is when nothing counts: no one, or an empty amount (a headcount nobody entered). */
export function emptyValues(names: Iterable<string>): IndicatorValues {
  const values: IndicatorValues = {};
  for (const name of names) {
    const ind = indicator(name);
    values[name] = {
      total: ind.sum ? null : 0,
      women: ind.columns.includes('women') ? 0 : null,
      youth: ind.columns.includes('youth') ? 0 : null,
      ...(ind.sum ? { contributors: 0 } : {}),
    };
  }
  return values;
}

export function aggregates(group: GroupShape, names: string[], q: GroupQuery): string[] {
  const bind = (sql: string) => sql.replaceAll(':date', q.d).replaceAll(':start', q.s);
  return names.flatMap((name) => {
    const ind = indicator(name);
    const where = bind(ind.where);
    const agg = (extra: string) => {
      if (group.counted) return `coalesce(sum(c.n) FILTER (WHERE ${group.counted} AND (${where})${extra}), 0)`;
      // in a block of the union a person counts only where their first matching post is (union-stats.ts)
      const once = ind.distinct && q.frame.blocks && group.firstPost ? ` AND ${group.firstPost(name)}` : '';
      const filter = `FILTER (WHERE (${where})${extra}${once})`;
      // a headcount nobody entered stays empty (sum() skips the absent ones and is empty when all are);
      // an agreement that covers nobody covers zero
      if (ind.sum)
        return ind.group === 'agreements'
          ? `CASE WHEN count(*) ${filter} = 0 THEN 0 ELSE sum(${ind.sum}) ${filter} END`
          : `sum(${ind.sum}) ${filter}`;
      return ind.distinct || name === 'primary_filed'
        ? `count(DISTINCT ${group.person}) ${filter}`
        : `count(*) ${filter}`;
    };
    // a cube carries youth as a flag; other rows compare the birth date with the date youth is measured on
    const youth = group.counted ? group.ageOn(q.d) : `${group.birth} > (${group.ageOn(q.d)} - interval '35 years')`;
    const columns = ind.columns.map((col) => {
      const extra = col === 'women' ? ` AND ${group.sex} = 'f'` : col === 'youth' ? ` AND ${youth}` : '';
      return `${agg(extra)} AS "${name}:${col}"`;
    });
    return ind.sum ? [...columns, `count(${ind.sum}) FILTER (WHERE ${where}) AS "${name}:contributors"`] : columns;
  });
}
