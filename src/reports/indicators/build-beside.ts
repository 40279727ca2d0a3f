import type { Knex } from 'knex';

// What the builders of the maintained statistics (member-state-cache.ts, union-stats.ts) share: they
// compute beside the writers and take the lock the writers' triggers share only for a moment (migration
// build-statistics-beside explains the protocol: claim, compute, mark fresh what is still claimed).

/**
 * How long a writer may queue behind a builder's request for the exclusive lock: the request waits for
 * the writers already holding it shared, and new writers queue behind the request. Past this the builder
 * steps back (the writers go on) and asks again a little later.
 */
const LOCK_WAIT = '50ms';
/** Pauses between the builder's attempts: writers committing in a steady stream must not starve it. */
const LOCK_RETRY_PAUSES_MS = [10, 20, 50, 100, 200, 500, 1000];
/** The builder gives up (and the build is retried later) after this long without a moment between writers. */
const LOCK_GIVE_UP_MS = 60_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the advisory `lock` exclusively in `trx` until it ends, never making writers wait longer than
 * LOCK_WAIT: each attempt is a savepoint with a lock timeout, undone when the lock is not free.
 */
export async function lockBriefly(trx: Knex.Transaction, lock: number): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      await trx.transaction(async (sp) => {
        await sp.raw(`SET LOCAL lock_timeout = '${LOCK_WAIT}'`);
        await sp.raw('SELECT pg_advisory_xact_lock(?)', [lock]);
        await sp.raw('SET LOCAL lock_timeout = DEFAULT');
      });
      return;
    } catch (err) {
      // 55P03 lock_not_available: the writers still hold it; any other error is the caller's
      if ((err as { code?: string } | undefined)?.code !== '55P03' || Date.now() - started > LOCK_GIVE_UP_MS) throw err;
    }
    await pause(LOCK_RETRY_PAUSES_MS[Math.min(attempt, LOCK_RETRY_PAUSES_MS.length - 1)]!);
  }
}

/** A new build's id: its claims are told from another build's by it. */
export async function nextBuildId(db: Knex): Promise<number> {
  const { rows } = await db.raw("SELECT nextval('statistics_build_seq') AS id");
  return Number(rows[0].id);
}

/**
 * Taken by the transaction that writes a build's rows: two builds of the same statistics (two app
 * instances) writing at once would each delete only the rows committed before it and leave both sets.
 * No writer of the registry takes this lock, so it makes no change wait; builds compute side by side.
 */
export async function lockBuildWriters(trx: Knex.Transaction, key: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`statistics-build:${key}`]);
}

/**
 * Forgets the claims of builds that never ended (a process killed mid-build; a failing build removes its
 * own): they mark nothing fresh, but make every change to their dates forget them. No build runs for a day.
 */
export async function pruneAbandonedClaims(db: Knex): Promise<void> {
  for (const table of ['member_state_claims', 'union_stats_claims'])
    await db(table).whereRaw("claimed_at < now() - interval '1 day'").delete();
}
