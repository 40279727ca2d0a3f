import pg from 'pg';

// Instances started side by side (two behind a load balancer, a rolling restart) must not migrate, seed
// or load the demo data at the same time: knex's migration lock makes the second fail at once ("Migration
// table is already locked") when a pending migration runs outside a transaction (CREATE INDEX
// CONCURRENTLY), two fresh starts race to create knex's own tables, and two demo loads would both find the
// database empty. A session-level advisory lock held on a connection of its own makes them take turns;
// the second then finds the work done.

/** The advisory lock key of the start-up work: any number no other lock of the app uses (shared-constants.ts). */
const STARTUP_LOCK = 748200;
const POLL_MS = 200;

export async function oneStartAtATime<T>(ownerUrl: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ownerUrl, application_name: 'reestr-startup' });
  client.on('error', () => undefined); // a lost connection releases the lock; the work's own queries report it
  await client.connect();
  try {
    // polled, not waited for: a session waiting in pg_advisory_lock holds a snapshot, and the holder's
    // CREATE INDEX CONCURRENTLY waits for every older snapshot to end — a deadlock PostgreSQL cannot see
    while (!(await client.query('SELECT pg_try_advisory_lock($1) AS got', [STARTUP_LOCK])).rows[0].got)
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    return await work();
  } finally {
    // closing the session releases its advisory locks
    await client.end().catch(() => undefined);
  }
}
