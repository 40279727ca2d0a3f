import type { Knex } from 'knex';
import type { PoolClient } from 'pg';

interface ConstraintDef {
  tbl: string;
  conname: string;
  contype: 'f' | 'u' | 'x';
  def: string;
}
interface IndexDef {
  tbl: string;
  indexname: string;
  indexdef: string;
}

/**
 * Runs a bulk load into `tables` with their secondary indexes and their foreign-key, unique and
 * exclusion constraints set aside, then builds them again from their own definitions (read from the
 * catalog, so the migrations stay the only place they are written). Building an index once over
 * 4 M rows is several times cheaper than maintaining it row by row during COPY.
 */
export async function withoutSecondaryStructures(
  db: Knex,
  tables: string[],
  load: () => Promise<void>,
  log: (what: string) => void,
) {
  const { rows: constraints }: { rows: ConstraintDef[] } = await db.raw(
    `SELECT conrelid::regclass::text AS tbl, conname, contype, pg_get_constraintdef(oid) AS def
       FROM pg_constraint WHERE conrelid = ANY(?::regclass[]) AND contype IN ('f', 'u', 'x')`,
    [tables],
  );
  const { rows: indexes }: { rows: IndexDef[] } = await db.raw(
    `SELECT tablename AS tbl, indexname, indexdef FROM pg_indexes
      WHERE schemaname = 'public' AND tablename = ANY(?) AND indexname NOT IN (SELECT conname FROM pg_constraint)`,
    [tables],
  );
  for (const c of constraints) await db.raw(`ALTER TABLE ${c.tbl} DROP CONSTRAINT "${c.conname}"`);
  for (const i of indexes) await db.raw(`DROP INDEX "${i.indexname}"`);
  await load();
  log('loaded without indexes');
  // An exclusion constraint is the longest build (a GiST index, then a probe per row) and locks its
  // table: it starts first on one connection while the other builds everything else; the work on its
  // table comes last, queued behind it. Two connections for two cores: 132 s → 70 s at 4 M members.
  const exclusions = constraints.filter((c) => c.contype === 'x');
  const locked = new Set(exclusions.map((c) => c.tbl));
  const others = [
    ...indexes.map((i) => ({ tbl: i.tbl, sql: i.indexdef })),
    ...constraints.filter((c) => c.contype !== 'x').map((c) => ({ tbl: c.tbl, sql: addConstraint(c) })),
  ].sort((a, b) => Number(locked.has(a.tbl)) - Number(locked.has(b.tbl)));
  await runOnConnections(db, 2, [...exclusions.map((c) => ({ tbl: c.tbl, sql: addConstraint(c) })), ...others]);
  log('indexes and constraints rebuilt');
}

const addConstraint = (c: ConstraintDef) => `ALTER TABLE ${c.tbl} ADD CONSTRAINT "${c.conname}" ${c.def}`;

/**
 * Runs the statements on `n` connections of their own, each taking the next from the queue. Every
 * statement commits on its own, so a lock lasts one build and a waiting connection never holds another.
 */
async function runOnConnections(db: Knex, n: number, queue: { sql: string }[]) {
  const next = queue[Symbol.iterator]();
  const worker = async () => {
    const client = (await db.client.acquireConnection()) as PoolClient;
    try {
      await client.query("SET maintenance_work_mem = '2GB'; SET max_parallel_maintenance_workers = 2");
      for (let job = next.next(); !job.done; job = next.next()) await client.query(job.value.sql);
    } finally {
      await client.query('RESET maintenance_work_mem; RESET max_parallel_maintenance_workers');
      await db.client.releaseConnection(client);
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
}
