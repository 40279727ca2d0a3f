import type { Knex } from 'knex';
import { percentiles } from './measure';
import type { BenchFixtures } from './fixtures';
import type { Session } from './session';

// Issue 15, item 1: the first union 1-СП of a date nobody asked for before builds the maintained statistics
// of that date (and answers from them); membership changes must go on beside the build. Two writers update random
// membership periods in a closed loop (a no-op update still fires every trigger a real change fires:
// the statistics of later dates are forgotten, the shared lock is taken) from just before the report
// until the build has ended, and each change is timed.

const FIRST_REPORT_LIMIT_S = 10;
const WRITER_P99_LIMIT_MS = 200;
const BUILD_WAIT_LIMIT_MS = 180_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A day of 2025 with no maintained statistics and no cached member states yet. */
async function neverSeenDate(db: Knex): Promise<string> {
  const day = new Date(Date.UTC(2025, 0, 1));
  day.setUTCDate(day.getUTCDate() + (Math.floor(Date.now() / 86_400_000) % 300));
  for (;;) {
    const iso = day.toISOString().slice(0, 10);
    const seen = await db.raw(
      `SELECT EXISTS (SELECT 1 FROM union_stats_fresh WHERE as_of = :iso) OR EXISTS (SELECT 1 FROM union_stats_claims WHERE as_of = :iso)
          OR EXISTS (SELECT 1 FROM member_state_cache WHERE as_of = :iso) AS seen`,
      { iso },
    );
    if (!seen.rows[0].seen) return iso;
    day.setUTCDate(day.getUTCDate() + 1);
  }
}

async function buildRunning(db: Knex, date: string): Promise<boolean> {
  const { rows } = await db.raw('SELECT EXISTS (SELECT 1 FROM union_stats_claims WHERE as_of = ?) AS running', [date]);
  return rows[0].running;
}

export async function firstReportOfNewDate(
  db: Knex,
  baseUrl: string,
  session: Session,
  fx: BenchFixtures,
): Promise<string> {
  const date = await neverSeenDate(db);
  const { rows } = await db.raw('SELECT min(id) AS lo, max(id) AS hi FROM member_periods');
  const lo = Number(rows[0].lo);
  const span = Number(rows[0].hi) - lo + 1;
  const latencies: number[] = [];
  let writing = true;
  const writer = async () => {
    while (writing) {
      const started = performance.now();
      await db.raw('UPDATE member_periods SET valid_to = valid_to WHERE id = ?', [
        lo + Math.floor(Math.random() * span),
      ]);
      latencies.push(performance.now() - started);
      await sleep(5);
    }
  };
  const writers = [writer(), writer()];
  const windowStarted = performance.now();
  let reportSeconds = NaN;
  let buildSeconds = NaN;
  try {
    await sleep(200);
    const started = performance.now();
    const res = await fetch(`${baseUrl}/reports/1-SP/${fx.union.inpo}/${date}.json`, {
      headers: { cookie: session.cookie, accept: 'application/json' },
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`the union 1-СП of ${date} answered ${res.status}`);
    reportSeconds = (performance.now() - started) / 1000;
    // the build is claimed right after the first request; give it a moment to appear, then wait it out
    await sleep(500);
    while ((await buildRunning(db, date)) && performance.now() - windowStarted < BUILD_WAIT_LIMIT_MS) await sleep(250);
    buildSeconds = (performance.now() - started) / 1000;
  } finally {
    writing = false;
    await Promise.all(writers);
  }
  const changes = percentiles(latencies, (performance.now() - windowStarted) / 1000);
  const pass = reportSeconds < FIRST_REPORT_LIMIT_S && changes.p99 < WRITER_P99_LIMIT_MS;
  const ms = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
  return `| first union 1-СП of a never-seen date (${date}), two writers changing membership periods until its background build has ended | first report < ${FIRST_REPORT_LIMIT_S} s; changes p99 < ${WRITER_P99_LIMIT_MS} ms | first report ${reportSeconds.toFixed(2)} s, build over after ${buildSeconds.toFixed(1)} s; ${changes.count} changes ${ms(changes.p50)} / ${ms(changes.p95)} / ${ms(changes.p99)} | — | — | — | ${pass ? 'pass' : '**miss**'} |`;
}
