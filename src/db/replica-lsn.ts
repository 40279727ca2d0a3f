import type { Knex } from 'knex';

// The maintained statistics (the member state and the union's blocks) are built on the primary — a
// standby cannot write — and read on the standby once it has replayed the build. A standby's pool knows
// its primary, so the code that builds before it reads needs no second handle passed down to it.

/** Each standby's pool and the primary's pool it follows (src/db/replica.ts registers them). */
export const standbyPrimaries = new WeakMap<Knex, Knex>();

/** Where `db`'s maintained statistics are built: its primary when `db` is a standby's pool, else `db` itself. */
export const primaryOf = (db: Knex): Knex => standbyPrimaries.get(db) ?? db;

/**
 * How long a read waits for the standby to replay what the primary has just written: streaming replay
 * takes milliseconds; a standby further behind is not trusted with the statistics, the primary answers.
 */
const REPLAY_WAIT_MS = 2_000;
const POLL_MS = 20;

/** The standby has not replayed the primary's latest write in time. */
export class ReplicaBehindError extends Error {}

/**
 * Waits until the standby `db` has replayed everything the primary had written when called (the builds
 * just made); nothing to wait for when `db` is the primary. Throws ReplicaBehindError past REPLAY_WAIT_MS.
 */
export async function catchUpWithPrimary(db: Knex): Promise<void> {
  const primary = standbyPrimaries.get(db);
  if (!primary) return;
  const { rows } = await primary.raw('SELECT pg_current_wal_lsn()::text AS lsn');
  const lsn: string = rows[0].lsn;
  const deadline = Date.now() + REPLAY_WAIT_MS;
  for (;;) {
    const replayed = await db.raw('SELECT coalesce(pg_last_wal_replay_lsn() >= ?::pg_lsn, false) AS done', [lsn]);
    if (replayed.rows[0].done) return;
    if (Date.now() > deadline)
      throw new ReplicaBehindError(`the replica has not replayed ${lsn} in ${REPLAY_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
