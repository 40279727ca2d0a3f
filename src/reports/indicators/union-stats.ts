import type { Knex } from 'knex';
import { analyzeTables } from '../../db/maintenance';
import { catchUpWithPrimary, primaryOf } from '../../db/replica-lsn';
import { BLOCK_BITS, UNION_STATS_LOCK } from '../../db/shared-constants';
import { INDICATORS, type IndicatorGroup } from './catalog';
import { emptyValues } from './aggregates';
import type { ColumnValues, IndicatorValues } from './engine';
import { GROUPS, type Scope } from './groups';
import { computeLive } from './live';
import { ensureMemberStateCache } from './member-state-cache';
import { lockBriefly, nextBuildId, lockBuildWriters } from './build-beside';
import { sqlDate } from './sql-fragments';
import { treeSince } from './tree-on-date';
import { recordUnionStatsFailure, recordUnionStatsSuccess } from './union-stats-failures';

// The maintained statistics of the whole union (migration create-union-stats): every indicator of the
// groups below per block of 512 consecutive organization ids and per (date, period start). A block is
// computed like a subtree whose root is the union, so movement between organizations of the union is no
// movement, the union's own officers count in the block that holds it, and a person with posts in several
// blocks counts once, in the block of their first post (aggregates.ts). The union's figure is the sum of
// the blocks (sums of ~300 rows instead of queries over 4 M periods); blocks a change has made stale are
// recomputed first, beside the changes (refreshUnionStats).

/** Above this many stale blocks, one pass over the member state of every organization beats an index probe per organization. */
const WHOLE_UNION_BLOCKS = 30;

/** The groups the statistics keep: declared with each group (groups.ts). */
export const MAINTAINED_GROUPS: ReadonlySet<IndicatorGroup> = new Set(
  (Object.keys(GROUPS) as IndicatorGroup[]).filter((g) => GROUPS[g].maintained),
);
const MAINTAINED = Object.keys(INDICATORS).filter((n) => MAINTAINED_GROUPS.has(INDICATORS[n]!.group));

/** The builds under way in this process: the first attempt (what a report of a new date waits for) and all of them, retries included. */
const building = new Map<string, { first: Promise<boolean>; done: Promise<void> }>();

/**
 * The union's maintained values, or undefined when (date, start) needs a first build (every block): the
 * caller then asks `unionStatsOfNewDate`.
 */
export async function unionStatsIfBuilt(
  db: Knex,
  date: string,
  start: string,
  names: string[],
): Promise<IndicatorValues | undefined> {
  const stale = await db.transaction((trx) => staleBlocks(trx, sqlDate(date), sqlDate(start)));
  return stale.length <= WHOLE_UNION_BLOCKS ? unionStats(db, date, start, names) : undefined;
}

/**
 * The union's values of a date the statistics do not know yet: its first build (the member state of the
 * date and every block, one set-based pass per group), then their sum — or undefined when that build
 * failed (the caller answers live; the build is retried in the background). Reports of the same date
 * arriving meanwhile wait for the same build. (Issue 15: answering live and then building computed
 * everything twice, the two competing for the two cores: 22.5 s.)
 */
export async function unionStatsOfNewDate(
  db: Knex,
  date: string,
  start: string,
  names: string[],
): Promise<IndicatorValues | undefined> {
  if (!(await startBuild(primaryOf(db), date, start).first)) return undefined;
  // summed at once: the blocks changes made stale during the build are computed in the reading snapshot
  // (rebuilding them first, as unionStats does, was a second build of the blocks the writers touched)
  await catchUpWithPrimary(db);
  return sumUnionStats(db, date, start, names);
}

/**
 * Pauses before a failed background build is tried again: what fails a build is mostly passing (a
 * statement timeout under load, a restart, a lock the builder could not get between writers), so it is
 * retried soon, then less often; after the last, the next report of the date or the hourly housekeeping tries.
 */
const RETRY_PAUSES_MS = [60_000, 5 * 60_000, 20 * 60_000];
let retryPausesMs = RETRY_PAUSES_MS;

/** Tests shorten the pauses (and restore them with no argument). */
export function retryUnionStatsBuildsAfter(pausesMs: number[] = RETRY_PAUSES_MS): void {
  retryPausesMs = pausesMs;
}

/**
 * Builds the statistics of (date, start) in the background, once per process at a time. A build that
 * fails is logged and kept as the last failure (union-stats-failures.ts), then retried after each pause
 * of RETRY_PAUSES_MS.
 */
export function buildUnionStatsInBackground(db: Knex, date: string, start: string): void {
  startBuild(db, date, start);
}

function startBuild(db: Knex, date: string, start: string): { first: Promise<boolean> } {
  const key = `${date}|${start}`;
  const under = building.get(key);
  if (under) return under;
  const first = buildUnionStats(db, date, start);
  const done = first
    .then((built) => (built ? undefined : retryBuild(db, date, start)))
    .finally(() => building.delete(key));
  const build = { first, done };
  building.set(key, build);
  return build;
}

async function retryBuild(db: Knex, date: string, start: string): Promise<void> {
  for (const pause of retryPausesMs) {
    // an unref'd timer: a pending retry must not keep a stopping process alive
    await new Promise((resolve) => setTimeout(resolve, pause).unref());
    if (await buildUnionStats(db, date, start)) return;
  }
}

/** Brings (date, start) up to date where nobody waits for the answer: never rejects, a failure is logged and recorded; whether it succeeded. */
export async function buildUnionStats(db: Knex, date: string, start: string): Promise<boolean> {
  try {
    await refreshUnionStats(db, date, start);
  } catch (err) {
    await recordUnionStatsFailure(db, err, { date, start });
    return false;
  }
  await recordUnionStatsSuccess(db).catch((err: unknown) => recordUnionStatsFailure(db, err, { date, start }));
  return true;
}

/** Resolves when the background builds under way have finished. */
export async function unionStatsBuilds(): Promise<void> {
  await Promise.all([...building.values()].map((b) => b.done));
}

/**
 * The union's values of the maintained indicators among `names` on `date`, movement since `start`: the
 * stale blocks are rebuilt first; a block a change made stale meanwhile is computed in the reading
 * snapshot itself, so the sum is exact for that snapshot whatever commits around it.
 */
export async function unionStats(db: Knex, date: string, start: string, names: string[]): Promise<IndicatorValues> {
  // built on the primary; a standby sums once it has replayed the build (a block it still sees stale would be
  // computed live, as is every block of a build that failed: logged and recorded, the report still answers)
  await buildUnionStats(primaryOf(db), date, start);
  await catchUpWithPrimary(db);
  return sumUnionStats(db, date, start, names);
}

/** The sum of the fresh blocks' rows and of the stale blocks computed live, in one snapshot; a stale block's stored rows are never read. */
export async function sumUnionStats(db: Knex, date: string, start: string, names: string[]): Promise<IndicatorValues> {
  const d = sqlDate(date);
  const s = sqlDate(start);
  return db.transaction(async (trx) => {
    await trx.raw('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const stale = await staleBlocks(trx, d, s);
    const union = stale.length ? await trx('organizations').where({ level: 'union' }).first('id') : undefined;
    // the stale blocks' groups in parallel on connections of their own, each in this transaction's snapshot
    // (issue 15: after a new date's build, the ~60 blocks the writers touched meanwhile took 3.5 s one group
    // after another on this connection)
    const snapshot = union ? ((await trx.raw('SELECT pg_export_snapshot() AS id')).rows[0].id as string) : undefined;
    const live = union ? await blockRows(db, trx, union.id, stale, date, start, 'subtree', MAINTAINED, snapshot) : [];
    const { rows } = await trx.raw(
      `SELECT indicator, sum(total) AS total, sum(women) AS women, sum(youth) AS youth, sum(contributors) AS contributors FROM (
         SELECT indicator, total, women, youth, contributors FROM union_stats
          WHERE as_of = ${d} AND since = ${s} AND indicator = ANY(:names) AND NOT block = ANY(:stale::int[])
         UNION ALL
         SELECT x.indicator, x.total, x.women, x.youth, x.contributors
           FROM jsonb_to_recordset(:live::jsonb) AS x(indicator text, total bigint, women bigint, youth bigint, contributors bigint)
          WHERE x.indicator = ANY(:names)) r
        GROUP BY indicator`,
      { names, stale, live: JSON.stringify(live) },
    );
    const values = emptyValues(names);
    for (const row of rows as {
      indicator: string;
      total: number | null;
      women: number | null;
      youth: number | null;
      contributors: number | null;
    }[]) {
      for (const col of INDICATORS[row.indicator]!.columns)
        values[row.indicator]![col] = row[col] == null ? null : Number(row[col]);
      if (INDICATORS[row.indicator]!.sum) values[row.indicator]!.contributors = Number(row.contributors ?? 0);
    }
    return values;
  });
}

/**
 * Recomputes the blocks changes have made stale for (date, start), if any (the hourly housekeeping keeps
 * the current dates warm) — beside the changes, which never wait for it longer than a moment
 * (build-beside.ts, migration build-statistics-beside). A block a change touches during the build stays
 * stale; the next refresh, or the reading snapshot, computes it.
 */
export async function refreshUnionStats(db: Knex, date: string, start: string): Promise<void> {
  const d = sqlDate(date);
  const s = sqlDate(start);
  if (!(await db.transaction((trx) => staleBlocks(trx, d, s))).length) return;
  const build = await nextBuildId(db);
  try {
    await buildClaimed(db, build, date, start);
  } finally {
    // a failed build's claims only make changes forget more; a database that failed the build may fail this too
    await db('union_stats_claims')
      .where({ build })
      .delete()
      .catch(() => undefined);
  }
}

/**
 * Claims the stale blocks (the moment of exclusive lock lets the changes that could not see the claims
 * commit before the build reads), computes them with no lock held, writes them, and marks fresh the
 * blocks still claimed. Many stale blocks read the member state of every organization, made complete
 * after the claim: an organization forgotten after that forgets its blocks' claims too.
 */
async function buildClaimed(db: Knex, build: number, date: string, start: string): Promise<void> {
  const d = sqlDate(date);
  const s = sqlDate(start);
  const blocks: number[] = await db.transaction(async (trx) => {
    const { rows } = await trx.raw(
      `INSERT INTO union_stats_claims (build, as_of, since, block)
       SELECT ?, ${d}, ${s}, b FROM generate_series(0, (SELECT coalesce(max(id), 0) FROM organizations) >> ${BLOCK_BITS}) b
        WHERE NOT EXISTS (SELECT 1 FROM union_stats_fresh f WHERE f.as_of = ${d} AND f.since = ${s} AND f.block = b)
       RETURNING block`,
      [build],
    );
    if (rows.length) await lockBriefly(trx, UNION_STATS_LOCK);
    return rows.map((r: { block: number }) => r.block);
  });
  const union = await db('organizations').where({ level: 'union' }).first('id');
  if (!blocks.length || !union) return;
  // every organization's member state built after the claim: one a change forgets after that forgets its
  // blocks' claims too, so a block is marked fresh only if every organization it read was fresh (changes
  // streaming in make the member state complete at no single moment: waiting for that fell back to an
  // index probe per organization)
  const whole = blocks.length > WHOLE_UNION_BLOCKS;
  // the groups that do not read the member state are computed while it is built (on a connection of their own)
  const [before, after] = whole
    ? partition(MAINTAINED, (n) => !GROUPS[INDICATORS[n]!.group].memberStateOn)
    : [MAINTAINED, []];
  const rowsOf = (names: string[]) =>
    blockRows(db, db, union.id, blocks, date, start, whole ? 'everything' : 'subtree', names);
  const rows = (
    await Promise.all([
      rowsOf(before),
      after.length ? ensureMemberStateCache(db, [date, start]).then(() => rowsOf(after)) : [],
    ])
  ).flat();
  await db.transaction(async (trx) => {
    await lockBuildWriters(trx, `union-stats:${date}:${start}`);
    await trx.raw(`DELETE FROM union_stats WHERE as_of = ${d} AND since = ${s} AND block = ANY(?::int[])`, [blocks]);
    await trx.raw(
      `INSERT INTO union_stats (as_of, since, block, indicator, total, women, youth, contributors)
       SELECT ${d}, ${s}, x.block, x.indicator, x.total, x.women, x.youth, x.contributors
         FROM jsonb_to_recordset(?::jsonb) AS x(block int, indicator text, total bigint, women bigint, youth bigint, contributors bigint)`,
      [JSON.stringify(rows)],
    );
    await lockBriefly(trx, UNION_STATS_LOCK);
    // a few hundred blocks at most: marked under the lock (the claims go in refreshUnionStats's finally)
    await trx.raw(
      'INSERT INTO union_stats_fresh (as_of, since, block) SELECT as_of, since, block FROM union_stats_claims WHERE build = ? ON CONFLICT DO NOTHING',
      [build],
    );
  });
  // the planner must know the statistics hold tens of thousands of rows, not none
  if (whole) await analyzeTables(db, ['union_stats', 'union_stats_fresh']);
}

const partition = <T>(items: T[], test: (item: T) => boolean): [T[], T[]] => [
  items.filter(test),
  items.filter((item) => !test(item)),
];

/** A row of union_stats without its dates. */
export type BlockRow = { block: number; indicator: string } & ColumnValues;

/**
 * The rows the blocks hold for (date, start), computed from the registry: `db` runs the queries (the
 * caller's transaction, or the pool, in parallel), `trx` reads the tree of the date.
 */
export async function blockRows(
  db: Knex,
  trx: Knex,
  unionId: number,
  blocks: number[],
  date: string,
  start: string,
  scope: Scope,
  names: string[] = MAINTAINED,
  snapshot?: string,
): Promise<BlockRow[]> {
  const tree = await treeSince(trx, [unionId], start);
  const values = await computeLive(
    db,
    { rootIds: blocks, blocks: true, tree, date, periodStart: start, names, snapshot },
    scope,
  );
  return [...values].flatMap(([block, byName]) =>
    Object.entries(byName)
      // a block without any of it adds nothing: an empty amount, or no one
      .filter(([name, v]) => (INDICATORS[name]!.sum ? v.total != null : v.total !== 0 || !!v.women || !!v.youth))
      .map(([indicator, v]) => ({ block, indicator, ...v })),
  );
}

async function staleBlocks(trx: Knex.Transaction, d: string, s: string): Promise<number[]> {
  const { rows } = await trx.raw(
    `SELECT b FROM generate_series(0, (SELECT coalesce(max(id), 0) FROM organizations) >> ${BLOCK_BITS}) b
      WHERE NOT EXISTS (SELECT 1 FROM union_stats_fresh f WHERE f.as_of = ${d} AND f.since = ${s} AND f.block = b)`,
  );
  return rows.map((r: { b: number }) => r.b);
}

/**
 * The union's value of one maintained indicator (its total) on (date, start) when every block is fresh, in
 * one statement (one snapshot); null when any block is stale or was never built — nothing is computed.
 */
export async function builtUnionTotal(
  db: Knex,
  date: string,
  start: string,
  indicator: string,
): Promise<number | null> {
  const d = sqlDate(date);
  const s = sqlDate(start);
  const { rows } = await db.raw(
    `SELECT NOT EXISTS (SELECT 1 FROM generate_series(0, (SELECT coalesce(max(id), 0) FROM organizations) >> ${BLOCK_BITS}) b
                         WHERE NOT EXISTS (SELECT 1 FROM union_stats_fresh f WHERE f.as_of = ${d} AND f.since = ${s} AND f.block = b)) AS built,
            (SELECT coalesce(sum(total), 0) FROM union_stats WHERE as_of = ${d} AND since = ${s} AND indicator = ?) AS total`,
    [indicator],
  );
  return rows[0].built ? Number(rows[0].total) : null;
}
