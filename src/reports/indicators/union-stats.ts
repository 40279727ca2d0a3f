import type { Knex } from 'knex';
import { BLOCK_BITS, UNION_STATS_LOCK } from '../../db/shared-constants';
import { INDICATORS, type IndicatorGroup } from './catalog';
import { emptyValues } from './aggregates';
import type { ColumnValues, IndicatorValues } from './engine';
import type { Scope } from './groups';
import { computeLive } from './live';
import { ensureMemberStateCache } from './member-state-cache';
import { sqlDate } from './sql-fragments';
import { treeSince } from './tree-on-date';
import { recordUnionStatsFailure, recordUnionStatsSuccess } from './union-stats-failures';

// The maintained statistics of the whole union (migration create-union-stats): every indicator of the
// groups below per block of 512 consecutive organization ids and per (date, period start). A block is
// computed like a subtree whose root is the union, so movement between organizations of the union is no
// movement, the union's own officers count in the block that holds it, and a person with posts in several
// blocks counts once, in the block of their first post (aggregates.ts). The union's figure is the sum of
// the blocks (sums of ~300 rows instead of queries over 4 M periods); blocks a change has made stale are
// recomputed first, under the lock that changes wait for.

/** Above this many stale blocks, one pass over the member state of every organization beats an index probe per organization. */
const WHOLE_UNION_BLOCKS = 30;

export const MAINTAINED_GROUPS: ReadonlySet<IndicatorGroup> = new Set(['state', 'start', 'movement', 'officers', 'structure', 'headcount', 'territory', 'agreements', 'filings']);
const MAINTAINED = Object.keys(INDICATORS).filter((n) => MAINTAINED_GROUPS.has(INDICATORS[n]!.group));

const building = new Map<string, Promise<void>>();

/**
 * The union's maintained values, or undefined when (date, start) needs a first build — every block, 3–6 s
 * at full scale, more than a live computation (~2 s): the caller answers live, then starts the build.
 */
export async function unionStatsIfBuilt(db: Knex, date: string, start: string, names: string[]): Promise<IndicatorValues | undefined> {
  const stale = await db.transaction((trx) => staleBlocks(trx, sqlDate(date), sqlDate(start)));
  return stale.length <= WHOLE_UNION_BLOCKS ? unionStats(db, date, start, names) : undefined;
}

/**
 * Builds the statistics of (date, start) in the background, once per process at a time. A build that
 * fails is logged and kept as the last failure (union-stats-failures.ts); the next report and the hourly
 * housekeeping try again.
 */
export function buildUnionStatsInBackground(db: Knex, date: string, start: string): void {
  const key = `${date}|${start}`;
  if (building.has(key)) return;
  building.set(key, buildUnionStats(db, date, start).finally(() => building.delete(key)));
}

/** Brings (date, start) up to date where nobody waits for the answer: never rejects, a failure is logged and recorded. */
export async function buildUnionStats(db: Knex, date: string, start: string): Promise<void> {
  try {
    await refreshUnionStats(db, date, start);
  } catch (err) {
    await recordUnionStatsFailure(db, err, { date, start });
    return;
  }
  await recordUnionStatsSuccess(db).catch((err: unknown) => recordUnionStatsFailure(db, err, { date, start }));
}

/** Resolves when the background builds under way have finished. */
export async function unionStatsBuilds(): Promise<void> {
  await Promise.all(building.values());
}

/** The union's values of the maintained indicators among `names` on `date`, movement since `start`. */
export async function unionStats(db: Knex, date: string, start: string, names: string[]): Promise<IndicatorValues> {
  const d = sqlDate(date);
  const s = sqlDate(start);
  return db.transaction(async (trx) => {
    if ((await staleBlocks(trx, d, s)).length) await refresh(db, trx, date, start);
    const { rows } = await trx.raw(
      `SELECT indicator, sum(total) AS total, sum(women) AS women, sum(youth) AS youth, sum(contributors) AS contributors FROM union_stats
        WHERE as_of = ${d} AND since = ${s} AND indicator = ANY(?) GROUP BY indicator`,
      [names],
    );
    const values = emptyValues(names);
    for (const row of rows as { indicator: string; total: number | null; women: number | null; youth: number | null; contributors: number | null }[]) {
      for (const col of INDICATORS[row.indicator]!.columns) values[row.indicator]![col] = row[col] == null ? null : Number(row[col]);
      if (INDICATORS[row.indicator]!.sum) values[row.indicator]!.contributors = Number(row.contributors ?? 0);
    }
    return values;
  });
}

/** Recomputes the blocks changes have made stale for (date, start), if any (the hourly housekeeping keeps the current dates warm). */
export async function refreshUnionStats(db: Knex, date: string, start: string): Promise<void> {
  await db.transaction(async (trx) => {
    if ((await staleBlocks(trx, sqlDate(date), sqlDate(start))).length) await refresh(db, trx, date, start);
  });
}

/**
 * Recomputes the stale blocks. Under the lock (held by `trx`, which writes the result) no change can
 * commit, so the queries may run on connections of their own, in parallel. Many stale blocks read the
 * member state of every organization, ensured (and committed) before the lock is taken — the order in
 * which changes take the two locks; if a change slipped in between, the blocks are counted from the periods.
 */
async function refresh(db: Knex, trx: Knex.Transaction, date: string, start: string) {
  const d = sqlDate(date);
  const s = sqlDate(start);
  let whole = (await staleBlocks(trx, d, s)).length > WHOLE_UNION_BLOCKS;
  if (whole) await ensureMemberStateCache(db, [date, start]);
  await trx.raw('SELECT pg_advisory_xact_lock(?)', [UNION_STATS_LOCK]);
  const blocks = await staleBlocks(trx, d, s);
  const union = await trx('organizations').where({ level: 'union' }).first('id');
  if (!blocks.length || !union) return;
  whole = whole && blocks.length > WHOLE_UNION_BLOCKS && (await memberStateComplete(trx, [d, s]));
  const rows = await blockRows(db, trx, union.id, blocks, date, start, whole ? 'everything' : 'subtree');
  await trx.raw(`DELETE FROM union_stats WHERE as_of = ${d} AND since = ${s} AND block = ANY(?::int[])`, [blocks]);
  await trx.raw(
    `INSERT INTO union_stats (as_of, since, block, indicator, total, women, youth, contributors)
     SELECT ${d}, ${s}, x.block, x.indicator, x.total, x.women, x.youth, x.contributors
       FROM jsonb_to_recordset(?::jsonb) AS x(block int, indicator text, total bigint, women bigint, youth bigint, contributors bigint)`,
    [JSON.stringify(rows)],
  );
  await trx.raw(`INSERT INTO union_stats_fresh (as_of, since, block) SELECT ${d}, ${s}, unnest(?::int[])`, [blocks]);
  // the planner must know the statistics hold tens of thousands of rows, not none
  if (whole) await trx.raw('ANALYZE union_stats, union_stats_fresh');
}

/** A row of union_stats without its dates. */
export type BlockRow = { block: number; indicator: string } & ColumnValues;

/**
 * The rows the blocks hold for (date, start), computed from the registry: `db` runs the queries (the
 * caller's transaction, or the pool when the caller holds the lock), `trx` reads the tree of the date.
 */
export async function blockRows(db: Knex, trx: Knex, unionId: number, blocks: number[], date: string, start: string, scope: Scope): Promise<BlockRow[]> {
  const tree = await treeSince(trx, [unionId], start);
  const values = await computeLive(db, { rootIds: blocks, blocks: true, tree, date, periodStart: start, names: MAINTAINED }, scope);
  return [...values].flatMap(([block, byName]) =>
    Object.entries(byName)
      // a block without any of it adds nothing: an empty amount, or no one
      .filter(([name, v]) => (INDICATORS[name]!.sum ? v.total != null : v.total !== 0 || !!v.women || !!v.youth))
      .map(([indicator, v]) => ({ block, indicator, ...v })));
}

async function staleBlocks(trx: Knex.Transaction, d: string, s: string): Promise<number[]> {
  const { rows } = await trx.raw(
    `SELECT b FROM generate_series(0, (SELECT coalesce(max(id), 0) FROM organizations) >> ${BLOCK_BITS}) b
      WHERE NOT EXISTS (SELECT 1 FROM union_stats_fresh f WHERE f.as_of = ${d} AND f.since = ${s} AND f.block = b)`,
  );
  return rows.map((r: { b: number }) => r.b);
}

async function memberStateComplete(trx: Knex.Transaction, dates: string[]): Promise<boolean> {
  const { rows } = await trx.raw(
    `SELECT bool_and((SELECT count(*) FROM member_state_cached_orgs x WHERE x.as_of = d) = (SELECT count(*) FROM organizations)) AS complete
       FROM unnest(ARRAY[${dates.join(', ')}]) d`,
  );
  return rows[0].complete;
}
