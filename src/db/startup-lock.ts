import pg from 'pg';

// Instances started side by side (two behind a load balancer, a rolling restart) must not migrate, seed
// or load the demo data at the same time: knex's migration lock makes the second fail at once ("Migration
// table is already locked") when a pending migration runs outside a transaction (CREATE INDEX
// CONCURRENTLY), two fresh starts race to create knex's own tables, and two demo loads would both find the
// database empty. A session-level advisory lock held on a connection of its own makes them take turns;
// the second then finds the work done.

/** The advisory lock key of the start-up work: any number no other lock of the app uses (shared-constants.ts). */
const STARTUP_LOCK = 748200;

export async function oneStartAtATime<T>(ownerUrl: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ownerUrl, application_name: 'reestr-startup' });
  client.on('error', () => undefined); // a lost connection releases the lock; the work's own queries report it
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK]);
    return await work();
  } finally {
    // closing the session releases its advisory locks
    await client.end().catch(() => undefined);
  }
}
