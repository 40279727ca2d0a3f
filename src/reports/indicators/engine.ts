import type { Knex } from 'knex';
import type { ColumnKey } from '../forms/form-schema';
import { INDICATORS, type Indicator, type IndicatorGroup } from './catalog';
import { GROUPS, wholeUnion, type GroupShape, type Scope } from './groups';
import { ensureMemberStateCache } from './member-state-cache';
import { sqlDate } from './sql-fragments';
import { rootsOn, treeSince } from './tree-on-date';

export type { Scope } from './groups';

// Every indicator group is one set-based query over the subtrees of the given roots (groups.ts): the
// rows are grouped by root, so the children of a consolidating organization are computed in one pass
// too. Nothing is loaded member by member into JavaScript.

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

const WHOLE_UNION_ORGS = 20_000;

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
  // the tree of the start matters only to groups that look back at it
  const tree = await treeSince(db, req.rootIds, byGroup.has('start') || byGroup.has('movement') ? req.periodStart : req.date);
  if (wholeUnion(scope)) {
    const dates = [...(byGroup.has('state') || byGroup.has('structure') || byGroup.has('agreements') ? [req.date] : []), ...(byGroup.has('start') ? [req.periodStart] : [])];
    await ensureMemberStateCache(db, dates);
  }
  // members at the date and at the start come from one cube: one query for both groups
  const queries = [...byGroup].filter(([g]) => g !== 'start' || !byGroup.has('state')).map(([g, names]) => (g === 'state' ? [g, [...names, ...(byGroup.get('start') ?? [])]] : [g, names]) as [IndicatorGroup, string[]]);
  await Promise.all(
    queries.map(async ([groupName, names]) => {
      const group = GROUPS[groupName];
      const q = { d, s, names, scope, tree };
      const ctes = group.ctes?.(q);
      const aggs = names.flatMap((n) => aggregates(GROUPS[indicator(n).group], [n], d, s));
      const sql = `${rootsOn(tree, d)}${ctes ? `, ${ctes}` : ''} SELECT r.root_id, ${aggs.join(', ')} ${group.from(q)} GROUP BY r.root_id`;
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
    `${rootsOn('current', 'current_date')} SELECT count(*)::int AS n, bool_and(r.root_path = o.path AND o.level = 'union') FILTER (WHERE o.id = r.root_id) AS union_root
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
