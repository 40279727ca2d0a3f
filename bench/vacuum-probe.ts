import type { Knex } from 'knex';
import { createMembersService } from '../src/members/members.service';
import { findLineageByInpo } from '../src/registry/orgs.repo';
import type { BenchFixtures } from './fixtures';
import { directLoad, type Latency } from './measure';

// Issue 15, item 6: the benchmark's own clean-up (the imported cards it deletes, below autovacuum's
// threshold at full scale) left dead rows that tripled a region list's planning time until a manual
// VACUUM. The clean-up now ends with an ANALYZE; the list of the biggest region is timed before the
// benchmark's VACUUM (with whatever dead rows the previous run left) and after it.

const RUNS = 30;
/** The ANALYZE after a large change keeps the plans: with dead rows the list may be this much slower, no more. */
const BEFORE_LIMIT = 1.5;

export interface VacuumProbe {
  deadRows: number;
  latency: Latency;
}

/** The list of the biggest region (50 cards by name and their count), directly; and the dead rows of its tables. */
export async function probeRegionList(db: Knex, fx: BenchFixtures): Promise<VacuumProbe> {
  const { rows } = await db.raw(
    `SELECT coalesce(sum(n_dead_tup), 0) AS dead FROM pg_stat_user_tables
      WHERE relname IN ('members', 'member_periods', 'membership_events', 'member_counts')`,
  );
  const members = createMembersService(db);
  const region = (await findLineageByInpo(db, fx.region.inpo)).pop()!;
  const reader = { viewPaths: [region.path] };
  const latency = await directLoad(
    () =>
      Promise.all([
        members.list(region, { status: 'active' }, reader, 'name', null, 50),
        members.count(region, { status: 'active' }, reader),
      ]),
    RUNS,
  );
  return { deadRows: Number(rows[0].dead), latency };
}

export function vacuumRow(before: VacuumProbe, after: VacuumProbe): string {
  const ms = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
  const pass = before.latency.p50 < BEFORE_LIMIT * after.latency.p50;
  return `| member list of the biggest region (50 by name and the count, direct), before and after the benchmark's VACUUM (the dead rows of the previous run's clean-up) | before < ${BEFORE_LIMIT} × after | — | — | before ${ms(before.latency.p50)} / ${ms(before.latency.p95)} (${before.deadRows.toLocaleString('en')} dead rows); after ${ms(after.latency.p50)} / ${ms(after.latency.p95)} (${after.deadRows.toLocaleString('en')}) | ${(before.latency.p50 / after.latency.p50).toFixed(2)}× | ${pass ? 'pass' : '**miss**'} |`;
}
