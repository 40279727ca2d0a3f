import type { Knex } from 'knex';

/**
 * Runs a bulk load into `tables` with their secondary indexes and their foreign-key, unique and
 * exclusion constraints set aside, then builds them again from their own definitions (read from the
 * catalog, so the migrations stay the only place they are written). Building an index once over
 * 4 M rows is several times cheaper than maintaining it row by row during COPY.
 */
export async function withoutSecondaryStructures(db: Knex, tables: string[], load: () => Promise<void>, log: (what: string) => void) {
  const { rows: constraints } = await db.raw(
    `SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def
       FROM pg_constraint WHERE conrelid = ANY(?::regclass[]) AND contype IN ('f', 'u', 'x')`,
    [tables],
  );
  const { rows: indexes } = await db.raw(
    `SELECT indexname, indexdef FROM pg_indexes
      WHERE schemaname = 'public' AND tablename = ANY(?) AND indexname NOT IN (SELECT conname FROM pg_constraint)`,
    [tables],
  );
  for (const c of constraints) await db.raw(`ALTER TABLE ${c.tbl} DROP CONSTRAINT "${c.conname}"`);
  for (const i of indexes) await db.raw(`DROP INDEX "${i.indexname}"`);
  await load();
  log('loaded without indexes');
  await db.transaction(async (trx) => {
    // One connection for the settings and the builds: a pool would scatter them.
    await trx.raw("SET LOCAL maintenance_work_mem = '2GB'");
    await trx.raw('SET LOCAL max_parallel_maintenance_workers = 2');
    for (const i of indexes) await trx.raw(i.indexdef);
    log('indexes rebuilt');
    for (const c of constraints) await trx.raw(`ALTER TABLE ${c.tbl} ADD CONSTRAINT "${c.conname}" ${c.def}`);
    log('constraints checked');
  });
}
