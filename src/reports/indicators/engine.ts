import type { Knex } from 'knex';
import type { ColumnKey } from '../forms/form-schema';
import { indicator } from './aggregates';
import type { Scope } from './groups';
import { computeLive } from './live';
import { rootsOn, type Tree } from './tree-on-date';
import { MAINTAINED_GROUPS, unionStatsIfBuilt, unionStatsOfNewDate } from './union-stats';

export type { Scope } from './groups';

// The named indicators of form formulas for one or many organizations at a date: computed from the
// registry (live.ts), or for the whole union from its maintained statistics (union-stats.ts).

/**
 * An indicator's values; an amount (a headcount) also says how many organizations it adds up (those that
 * have it), so that what remains of a sum once some of them are taken out knows whether anyone is left.
 */
export type ColumnValues = Record<ColumnKey, number | null> & { contributors?: number };
export type IndicatorValues = Record<string, ColumnValues>;

export interface IndicatorRequest {
  rootIds: number[];
  date: string;
  /** movement indicators cover (periodStart, date] */
  periodStart: string;
  names: Iterable<string>;
  /** how to narrow the periods; chosen by the size of the subtrees unless given (tests compare both) */
  scope?: Scope;
  /** the union's blocks of organizations instead of subtrees: rootIds are block numbers (union-stats.ts) */
  blocks?: boolean;
  /** the tree the dates need, when the caller knows it */
  tree?: Tree;
  /** the whole union from its maintained statistics (the default); false computes it live (tests compare both) */
  maintained?: boolean;
  /** only the roots' own units: a primary form (a ППО with territorial rights without its child ППО) */
  own?: boolean;
  /** every group in one statement (small subtrees: a ППО), not in parallel on connections of their own */
  oneStatement?: boolean;
  /** a snapshot exported by the caller's transaction (pg_export_snapshot): the groups run in parallel, each seeing it */
  snapshot?: string;
}

const WHOLE_UNION_ORGS = 20_000;

/** Values of the requested indicators for each root (or block): Map<rootId, {indicator: {total, women, youth}}>. */
export async function computeIndicators(db: Knex, req: IndicatorRequest): Promise<Map<number, IndicatorValues>> {
  const scope = req.scope ?? (await scopeOf(db, req.rootIds));
  if (scope !== 'union' || req.maintained === false || req.blocks) return computeLive(db, req, scope);
  const names = [...new Set(req.names)];
  const maintained = names.filter((n) => MAINTAINED_GROUPS.has(indicator(n).group));
  const [built, live] = await Promise.all([
    maintained.length ? unionStatsIfBuilt(db, req.date, req.periodStart, maintained) : {},
    computeLive(db, { ...req, names: names.filter((n) => !maintained.includes(n)) }, scope),
  ]);
  // a date the statistics do not know yet is built first and answered from them; live only when that build fails
  const stats =
    built ??
    (await unionStatsOfNewDate(db, req.date, req.periodStart, maintained)) ??
    (await computeLive(db, { ...req, names: maintained }, scope)).get(req.rootIds[0]!);
  const rootId = req.rootIds[0]!;
  return new Map([[rootId, { ...live.get(rootId), ...stats }]]);
}

/**
 * How to narrow the periods: the whole union is known by its root; other requests by how many organizations
 * they span — one statement (the subtree is counted only when the root is not the union: an InitPlan under
 * CASE runs when it is reached).
 */
async function scopeOf(db: Knex, rootIds: number[]): Promise<Scope> {
  const { rows } = await db.raw(
    `${rootsOn({ tree: 'current' }, 'current_date')}
     SELECT CASE WHEN (SELECT count(*) = 1 AND bool_and(o.level = 'union') FROM organizations o WHERE o.id = ANY(?::int[])) THEN -1
                 ELSE (SELECT count(*)::int FROM roots r JOIN organizations o ON o.path <@ r.root_path) END AS n`,
    [rootIds, rootIds],
  );
  if (rows[0].n === -1) return 'union';
  if (rows[0].n <= WHOLE_UNION_ORGS) return 'subtree';
  return 'everything';
}
