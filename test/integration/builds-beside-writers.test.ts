import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { BLOCK_BITS, MEMBER_STATE_LOCK } from '../../src/db/shared-constants';
import { changeCategory } from '../../src/membership/membership';
import { verifyDerived } from '../../src/ops/verify-derived';
import { INDICATORS } from '../../src/reports/indicators/catalog';
import { computeIndicators } from '../../src/reports/indicators/engine';
import { pruneAbandonedClaims } from '../../src/reports/indicators/build-beside';
import { ensureMemberStateCache, splitMemberStateBuildsAbove } from '../../src/reports/indicators/member-state-cache';
import { MAINTAINED_GROUPS, refreshUnionStats, sumUnionStats } from '../../src/reports/indicators/union-stats';
import type { TestDatabase } from '../support/db';
import { createOrg, unionRoot } from '../support/factories';
import { D, S, createReportDatabase, type ReportFixture } from '../support/report-fixture';

// Issue 15, item 1: at 4 M members a build of the union's statistics held the lock that every change to
// the periods takes, and a one-row period update waited 105 s. The builds now work beside the changes.
// Each test slows a build down — the test holds the table the build writes locked, so the build stalls
// after it has computed — and makes a membership change through the service meanwhile: the change must
// not wait for the build, and the statistics must end up rebuilt or stale, never wrong.

/** How long a membership change may wait for a build (the bound). */
const WAIT_BOUND_MS = 100;

let database: TestDatabase;
let db: Knex;
let fx: ReportFixture;
let unionId: number;
const MAINTAINED = Object.entries(INDICATORS)
  .filter(([, i]) => MAINTAINED_GROUPS.has(i.group))
  .map(([n]) => n);

beforeAll(async () => {
  ({ database, db, fx } = await createReportDatabase());
  unionId = (await unionRoot(db)).id;
  // an organization in a block of its own, which the changes below do not touch
  await db.raw("SELECT setval(pg_get_serial_sequence('organizations', 'id'), ?)", [3 << BLOCK_BITS]);
  await createOrg(db, fx.orgs.T2, 'primary', { name: 'ППО в другом блоке' });
});
afterAll(async () => database.drop());

/** Holds `table` locked against writes (as the owner) until released: a build writing it stalls there. */
async function lockAgainstWrites(table: string): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const holder = db.transaction(async (trx) => {
    await trx.raw(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
    locked();
    await released;
  });
  await isLocked;
  return {
    release: async () => {
      release();
      await holder;
    },
  };
}

/** Resolves once some backend waits for a lock on `table`. */
async function stalledOn(table: string): Promise<void> {
  for (let waited = 0; waited < 20_000; waited += 20) {
    const { rows } = await db.raw(
      'SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = ? AND NOT l.granted',
      [table],
    );
    if (rows.length) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`nothing waited on ${table}`);
}

/** A category change of one member through the membership service, as the app's connection; its duration in ms. */
async function timedCategoryChange(memberId: number, category: string): Promise<number> {
  const started = performance.now();
  await database.db.transaction((trx) =>
    changeCategory(trx, memberId, category, false, { on: '2026-02-01', actorUserId: null }),
  );
  return performance.now() - started;
}

/**
 * The quickest of three changes (to `working`, away and back): what the build makes a writer wait shows in every
 * one of them, while a moment when the two cores were busy elsewhere (other test files run beside this one) shows
 * in one only.
 */
async function quickestChange(memberId: number): Promise<number> {
  const times = [];
  for (const category of ['working', 'unemployed', 'working'])
    times.push(await timedCategoryChange(memberId, category));
  return Math.min(...times);
}

const unionFigures = (maintained: boolean) =>
  computeIndicators(database.db, {
    rootIds: [unionId],
    date: D,
    periodStart: S,
    names: MAINTAINED,
    maintained,
    ...(maintained ? {} : { scope: 'union' as const }),
  }).then((v) => v.get(unionId));

/**
 * Starts a build while its table is locked against writes (so it stalls there, its claims taken), changes
 * the member's category meanwhile, and checks that the change did not wait for the build.
 */
async function changeDuringBuild(table: string, memberId: number, baseline: number, start: () => Promise<void>) {
  const lock = await lockAgainstWrites(table);
  let build: Promise<void> | undefined;
  try {
    build = start();
    await stalledOn(table);
    const during = await quickestChange(memberId);
    expect(
      during - baseline,
      `the change took ${Math.round(during)} ms during the build, ${Math.round(baseline)} ms without`,
    ).toBeLessThan(WAIT_BOUND_MS);
  } finally {
    await lock.release();
    await build;
  }
}

describe('a build of the maintained statistics and a membership change at the same time', () => {
  it('the union statistics: the change does not wait for the build, and its blocks stay stale, not wrong', async () => {
    const memberId = Object.values(fx.members)[0]!;
    const baseline = await timedCategoryChange(memberId, 'unemployed');
    const { organization_id: orgId } = await db('members').where({ id: memberId }).first('organization_id');

    await changeDuringBuild('union_stats', memberId, baseline, () => refreshUnionStats(database.db, D, S));

    const fresh = (await db('union_stats_fresh').where({ as_of: D, since: S }).pluck('block')).map(Number);
    expect(fresh).toContain(3);
    expect(fresh).not.toContain(orgId >> BLOCK_BITS);
    expect(await db('union_stats_claims').count('* as n').first()).toEqual({ n: 0 });
    expect((await verifyDerived(db, ['union_stats'])).map((r) => [r.name, r.count])).toEqual([['union_stats', 0]]);
    expect(await unionFigures(true)).toEqual(await unionFigures(false));
  });

  it('the member state: the change does not wait for the build, and its organization stays stale, not wrong', async () => {
    const memberId = Object.values(fx.members)[1]!;
    const baseline = await timedCategoryChange(memberId, 'unemployed');
    const { organization_id: orgId } = await db('members').where({ id: memberId }).first('organization_id');
    await db('member_state_cached_orgs').delete();

    await changeDuringBuild('member_state_cache', memberId, baseline, () => ensureMemberStateCache(database.db, [D]));

    const cached = (await db('member_state_cached_orgs').where({ as_of: D }).pluck('organization_id')).map(Number);
    expect(cached.length).toBeGreaterThan(0);
    expect(cached).not.toContain(orgId);
    expect((await verifyDerived(db, ['member_state_cache'])).map((r) => [r.name, r.count])).toEqual([
      ['member_state_cache', 0],
    ]);
    await ensureMemberStateCache(database.db, [D]);
    expect(await db('member_state_cached_orgs').where({ as_of: D, organization_id: orgId }).first()).toBeDefined();
    expect((await verifyDerived(db, ['member_state_cache'])).map((r) => [r.name, r.count])).toEqual([
      ['member_state_cache', 0],
    ]);
  });

  it('the member state written in parts on connections of their own equals one pass, and a change meanwhile leaves its organization stale', async () => {
    const memberId = Object.values(fx.members)[2]!;
    const baseline = await timedCategoryChange(memberId, 'unemployed');
    const { organization_id: orgId } = await db('members').where({ id: memberId }).first('organization_id');
    const rowsOfD = async () =>
      (
        await db.raw(
          `SELECT organization_id, ppo_id, category, is_pedagogical, on_parental_leave, sex, youth, n FROM member_state_cache
            WHERE as_of = ? ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`,
          [D],
        )
      ).rows;
    const verified = async () => (await verifyDerived(db, ['member_state_cache'])).map((r) => [r.name, r.count]);
    splitMemberStateBuildsAbove(0);
    try {
      await db('member_state_cached_orgs').delete();
      await changeDuringBuild('member_state_cache', memberId, baseline, () => ensureMemberStateCache(database.db, [D]));
      const cached = (await db('member_state_cached_orgs').where({ as_of: D }).pluck('organization_id')).map(Number);
      expect(cached.length).toBeGreaterThan(0);
      expect(cached).not.toContain(orgId);
      expect(await verified()).toEqual([['member_state_cache', 0]]);
      // two builds of the date at once (two app instances), in parts: each organization's rows written once
      await db('member_state_cached_orgs').where({ as_of: D }).delete();
      await Promise.all([ensureMemberStateCache(database.db, [D]), ensureMemberStateCache(database.db, [D])]);
    } finally {
      splitMemberStateBuildsAbove();
    }
    expect(await db('member_state_cached_orgs').where({ as_of: D, organization_id: orgId }).first()).toBeDefined();
    expect(await verified()).toEqual([['member_state_cache', 0]]);
    const inParts = await rowsOfD();
    await db('member_state_cached_orgs').where({ as_of: D }).delete();
    await ensureMemberStateCache(database.db, [D]);
    expect(inParts).toEqual(await rowsOfD());
  });

  it('the claims of a build that never ended (its process killed) are pruned after a day, and only those', async () => {
    await db('union_stats_claims').insert([
      { build: -1, as_of: D, since: S, block: 0, claimed_at: db.raw("now() - interval '2 days'") },
      { build: -2, as_of: D, since: S, block: 0 },
    ]);
    await db('member_state_claims').insert({
      build: -1,
      as_of: D,
      organization_id: fx.orgs.A.id,
      claimed_at: db.raw("now() - interval '2 days'"),
    });
    await pruneAbandonedClaims(database.db);
    expect(await db('union_stats_claims').pluck('build')).toEqual([-2]);
    expect(await db('member_state_claims').pluck('build')).toEqual([]);
    await db('union_stats_claims').delete();
  });

  it('a union report meeting a block made stale after its refresh computes that block in its own snapshot, never reading its stored rows', async () => {
    await refreshUnionStats(database.db, D, S);
    const live = await unionFigures(false);
    // block 0 stale with its stored rows spoiled: what a change committing between the refresh and the read leaves
    await db('union_stats')
      .where({ as_of: D, since: S, block: 0 })
      .update({ total: db.raw('total + 1000') });
    await db('union_stats_fresh').where({ as_of: D, since: S, block: 0 }).delete();
    expect(await sumUnionStats(database.db, D, S, MAINTAINED)).toEqual(live);
  });

  it('a long change holding the lock delays the build, which steps back, not the changes arriving meanwhile', async () => {
    const memberId = Object.values(fx.members)[2]!;
    const baseline = await timedCategoryChange(memberId, 'unemployed');
    await db('member_state_cached_orgs').delete();
    let release!: () => void;
    let held!: () => void;
    const isHeld = new Promise<void>((resolve) => (held = resolve));
    // a change that has passed its triggers (it holds the lock shared) and takes its time to commit
    const longChange = db.transaction(async (trx) => {
      await trx.raw('SELECT pg_advisory_xact_lock_shared(?)', [MEMBER_STATE_LOCK]);
      held();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await isHeld;
    let build: Promise<void> | undefined;
    try {
      build = ensureMemberStateCache(database.db, [D]);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the build asks for the lock, times out, asks again
      const during = await quickestChange(memberId);
      expect(
        during - baseline,
        `the change took ${Math.round(during)} ms while the build waited, ${Math.round(baseline)} ms without`,
      ).toBeLessThan(WAIT_BOUND_MS);
    } finally {
      release();
      await longChange;
      await build;
    }
    expect(Number((await db('member_state_cached_orgs').where({ as_of: D }).count('* as n'))[0]!.n)).toBeGreaterThan(0);
    expect((await verifyDerived(db, ['member_state_cache'])).map((r) => [r.name, r.count])).toEqual([
      ['member_state_cache', 0],
    ]);
  });
});
