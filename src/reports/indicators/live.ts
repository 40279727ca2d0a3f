import type { Knex } from 'knex';
import { aggregates, emptyValues, indicator } from './aggregates';
import type { IndicatorGroup } from './catalog';
import type { IndicatorRequest, IndicatorValues } from './engine';
import { GROUPS, wholeUnion, type GroupQuery, type Scope } from './groups';
import { catchUpWithPrimary, primaryOf } from '../../db/replica-lsn';
import { ensureMemberStateCache } from './member-state-cache';
import { asJsonColumn, readEach, type RowsQuery } from './rows-query';
import { sqlDate } from './sql-fragments';
import { rootsCte, rootsOn, rowUnitsCte, treeSince } from './tree-on-date';

// Every indicator group is one set-based query over the subtrees of the given roots (groups.ts): the
// rows are grouped by root, so the children of a consolidating organization are computed in one pass
// too. Nothing is loaded member by member into JavaScript.

/** The indicators computed from the registry: one query per group over the roots' subtrees (or the union's blocks). */
export async function computeLive(
  db: Knex,
  req: IndicatorRequest,
  scope: Scope,
): Promise<Map<number, IndicatorValues>> {
  return (await computeLiveWith(db, req, scope, {})).values;
}

/** The same, and the rows of other reads of the report: in the same statement when the groups go in one (`oneStatement`). */
export async function computeLiveWith<K extends string>(
  db: Knex,
  req: IndicatorRequest,
  scope: Scope,
  alongside: Partial<Record<K, RowsQuery>>,
): Promise<{ values: Map<number, IndicatorValues>; rows: Partial<Record<K, Record<string, unknown>[]>> }> {
  const d = sqlDate(req.date);
  const s = sqlDate(req.periodStart);
  const names = [...new Set(req.names)];
  const byGroup = new Map<IndicatorGroup, string[]>();
  for (const name of names) byGroup.set(indicator(name).group, [...(byGroup.get(indicator(name).group) ?? []), name]);
  const result = new Map<number, IndicatorValues>(req.rootIds.map((id) => [id, emptyValues(names)]));
  if (!names.length) return { values: result, rows: await readEach(db, alongside) };
  // the whole period is read in the tree of the date (tree-on-date.ts)
  const tree = req.tree ?? (await treeSince(db, req.rootIds, req.date));
  const frame = { tree, blocks: req.blocks, whole: scope === 'union' && !req.blocks, own: req.own };
  // (the builder of the union's blocks has made it complete after claiming them: a change to it since forgets those blocks' claims too)
  if (wholeUnion(scope) && !req.blocks) {
    const on = { date: req.date, start: req.periodStart };
    const dates = [...byGroup.keys()].flatMap((g) => (GROUPS[g].memberStateOn ? [on[GROUPS[g].memberStateOn]] : []));
    // built on the primary (a standby's pool reads it once it has replayed the build: db/replica-lsn.ts)
    await ensureMemberStateCache(primaryOf(db), dates);
    await catchUpWithPrimary(db);
  }
  // members at the date and at the start come from one cube: one query for both groups
  const queries = [...byGroup]
    .filter(([g]) => g !== 'start' || !byGroup.has('state'))
    .map(
      ([g, names]) =>
        (g === 'state' ? [g, [...names, ...(byGroup.get('start') ?? [])]] : [g, names]) as [IndicatorGroup, string[]],
    );
  const take = (rows: Record<string, unknown>[], names: string[]) => {
    for (const row of rows) {
      const values = result.get(Number(row.key));
      if (!values) continue;
      for (const name of names) {
        const target = values[name]!;
        for (const col of indicator(name).columns) {
          const v = row[`${name}:${col}`];
          target[col] = v == null ? null : Number(v);
        }
        if (indicator(name).sum) target.contributors = Number(row[`${name}:contributors`]);
      }
    }
  };
  if (req.oneStatement) {
    // a ППО's groups take a millisecond or two each: one round trip for all of them (issue 15: 14 statements
    // of a 5-СП took 8.4 ms where one did the same work in 2.8 ms), over the units gathered once
    const shared = { ...frame, shared: true };
    const sqls = queries.map(([groupName, names]) => groupSql(groupName, { d, s, names, scope, frame: shared }));
    const others = Object.entries(alongside) as [K, RowsQuery][];
    const { rows } = await db.raw(
      `${rootsOn(frame, d)}, ${rowUnitsCte(frame, d)}
       SELECT ${[...sqls.map((sql, i) => `${asJsonColumn(sql)} AS g${i}`), ...others.map(([, q], i) => `${asJsonColumn(q.sql)} AS r${i}`)].join(', ')}`,
      [req.rootIds, ...others.flatMap(([, q]) => q.bindings)],
    );
    queries.forEach(([, names], i) => take(rows[0][`g${i}`], names));
    return {
      values: result,
      rows: Object.fromEntries(others.map(([key], i) => [key, rows[0][`r${i}`]])) as Partial<
        Record<K, Record<string, unknown>[]>
      >,
    };
  }
  const sqls = queries.map(([groupName, names]) => groupSql(groupName, { d, s, names, scope, frame }));
  const runs = queries.map(([, names], i) => async () => {
    const { rows } = await inReportTransaction(
      db,
      wholeUnion(scope) || !!req.blocks ? UNION_WORK_MEM : SUBTREE_WORK_MEM,
      (trx) => trx.raw(sqls[i]!, [req.rootIds]),
      req.snapshot,
    );
    take(rows, names);
  });
  // the groups in parallel on connections of their own; one after another in a caller's transaction (one connection)
  if ((db as Knex.Transaction).isTransaction) for (const run of runs) await run();
  else await Promise.all(runs.map((run) => run()));
  return { values: result, rows: await readEach(db, alongside) };
}

/**
 * The one query of a group for the indicators `q.names` (of that group, or of the start figure beside the state):
 * a row per root (or block). With a shared frame, the statement around it has the CTEs `roots` and `row_units`.
 */
export function groupSql(groupName: IndicatorGroup, q: GroupQuery): string {
  const group = GROUPS[groupName];
  const ctes = [q.frame.shared ? '' : rootsCte(q.frame, q.d), group.ctes?.(q) ?? ''].filter(Boolean);
  const aggs = q.names.flatMap((n) => aggregates(GROUPS[indicator(n).group], [n], q));
  return `${ctes.length ? `WITH ${ctes.join(', ')}` : ''} SELECT r.key, ${aggs.join(', ')} ${group.from(q)} GROUP BY r.key`;
}

/**
 * Whole-union queries (and the union's blocks, whose officers are looked up union-wide) aggregate
 * millions of rows in hash tables: more memory than a page query gets. A subtree computed group by group
 * (a region, a territory: a ППО's groups go in one statement instead) gets a little more than a page too:
 * with the default 4 MB the planner grouped the biggest region's 152,000 periods into its 10,000 cells
 * of the member cube by sorting them on disk (external merge, 4.5 MB) instead of hashing them — about
 * half of that group's time. Not the union's 256 MB for them: PostgreSQL sizes a hash table by its
 * (ltree-blind, huge) estimate, and allocating 50 MB to group ten rows cost a ППО's draft 35 ms. JIT is
 * off on every connection (src/db/knex.ts). (A caller's transaction — the builder of the maintained
 * statistics — has set these itself.)
 */
const UNION_WORK_MEM = '256MB';
export const SUBTREE_WORK_MEM = '16MB';

export async function inReportTransaction<T>(
  db: Knex,
  workMem: typeof UNION_WORK_MEM | typeof SUBTREE_WORK_MEM,
  work: (trx: Knex) => Promise<T>,
  snapshot?: string,
): Promise<T> {
  if ((db as Knex.Transaction).isTransaction) return work(db);
  return db.transaction(async (trx) => {
    if (snapshot) {
      if (!SNAPSHOT_ID.test(snapshot)) throw new Error(`not a snapshot id: ${snapshot}`);
      await trx.raw('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await trx.raw(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
    }
    await trx.raw(`SET LOCAL work_mem = '${workMem}'`);
    return work(trx);
  });
}

/** What pg_export_snapshot returns (inlined: SET TRANSACTION SNAPSHOT takes no parameter). */
const SNAPSHOT_ID = /^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$/;
