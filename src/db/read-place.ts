import type { Knex } from 'knex';

/** Where a computation read its data: the primary, or a standby as it stood at a moment. */
export interface ReadPlace {
  replica: boolean;
  /** the moment the standby's data stood at when the computation started (ISO); absent when unknown */
  dataAt?: string;
  /** how far that moment was behind the standby's clock, in seconds */
  lagSeconds?: number;
}

/**
 * The standby's data time: now when it has replayed all it received and its WAL receiver is streaming
 * (on a quiet primary the last replayed commit may be hours old though nothing is missing), else the
 * time of the last transaction it replayed. Taken before the computation, it is a bound for all its
 * statements. (pg_stat_wal_receiver shows its pid to any role, its details to superusers.)
 */
export async function readPlaceOf(db: Knex): Promise<ReadPlace> {
  const { rows } = await db.raw(
    `SELECT t AS data_at, greatest(0, extract(epoch FROM now() - t))::float8 AS lag FROM (
       SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver)
                   THEN now() ELSE pg_last_xact_replay_timestamp() END AS t) x`,
  );
  const { data_at: dataAt, lag } = rows[0] as { data_at: Date | null; lag: number | null };
  // unknown (null) only on a standby that has replayed nothing since it started and is not streaming
  return { replica: true, dataAt: dataAt?.toISOString(), lagSeconds: lag ?? undefined };
}
