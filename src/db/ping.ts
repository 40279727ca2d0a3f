import type { Knex } from 'knex';

/** One round trip to the database: what the readiness probe (/readyz) needs to know it answers. */
export async function pingDatabase(db: Knex): Promise<void> {
  await db.raw('SELECT 1');
}
