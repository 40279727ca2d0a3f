import type { Knex } from 'knex';
import { createLogger } from '../logger';
import { isConnectionLoss } from './connection-loss';
import { createDb, type DbOptions } from './knex';
import { ReplicaBehindError, standbyPrimaries } from './replica-lsn';
import { readPlaceOf, type ReadPlace } from './read-place';

export type { ReadPlace } from './read-place';

// Reports, exports and heavy lists read from a streaming standby when REPLICA_DATABASE_URL names one:
// the reporting weeks' load (tens of thousands of chairs opening drafts, coordinators consolidating) then
// leaves the primary to the writes. Writes, filings and whatever must see a write just made stay on the
// primary; a standby that cannot be reached is left alone for a while and its work goes to the primary.

/** How long a standby that failed is left alone before it is tried again. */
const DOWN_FOR_MS = 30_000;
/** A standby that does not open a connection in this time is down (a dead host never refuses). */
const CONNECT_TIMEOUT_MS = 2_000;
/**
 * A standby further behind than this is left alone like one that is down: its reports would state their
 * data time, but a chair who fixed a card a minute ago and sees the old figure cannot do much with it.
 * (Reports show the lag from 5 s on: reports/read-place-text.ts.)
 */
const MAX_LAG_SECONDS = 60;

export interface Reads {
  /** The primary's pool: writes, filings and what must see them. */
  readonly primary: Knex;
  /** Whether a standby is configured at all (the pages say where a report was read only then). */
  readonly hasReplica: boolean;
  /**
   * Runs `work` on the standby when it answers, else on the primary. A standby that fails on the way (its
   * connection lost, a query cancelled by replay, behind the statistics the primary just built) hands the
   * work over to the primary: `work` must only read.
   */
  run<T>(work: (db: Knex) => Promise<T>): Promise<{ value: T; place: ReadPlace }>;
  /** The pool to stream a download from now: no second try, as its first bytes may already have left. */
  pool(): Promise<Knex>;
  close(): Promise<void>;
}

/** The standby is further behind than MAX_LAG_SECONDS. */
class ReplicaLagging extends ReplicaBehindError {}

/** Errors after which the work is done again on the primary. */
function fallsBack(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  // 40001/40P01 on a standby: a query cancelled by a conflict with recovery (replay needed the rows it read);
  // 25006: something tried to write on the standby (logged: a read path that writes belongs on the primary)
  return (
    err instanceof ReplicaBehindError || isConnectionLoss(err) || ['40001', '40P01', '25006'].includes(String(code))
  );
}

/** Reads with no standby: everything on the primary. */
export const primaryReads = (primary: Knex): Reads => createReads(primary, undefined, {});

export function createReads(primary: Knex, replicaUrl: string | undefined, options: DbOptions): Reads {
  const logger = options.logger ?? createLogger('info');
  const replica = replicaUrl
    ? createDb(replicaUrl, {
        ...options,
        applicationName: 'reestr-reads',
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        acquireTimeoutMs: CONNECT_TIMEOUT_MS * 2,
      })
    : undefined;
  if (replica) standbyPrimaries.set(replica, primary);
  let downUntil = 0;
  let probing: Promise<boolean> | undefined;

  function markDown(err: unknown) {
    if (Date.now() >= downUntil) logger.warn({ err }, 'the read replica failed: reading from the primary for a while');
    downUntil = Date.now() + DOWN_FOR_MS;
    probing = undefined;
  }

  /** The standby when it is configured, not left alone, and answered its short check as a standby. */
  async function standby(): Promise<Knex | undefined> {
    if (!replica || Date.now() < downUntil) return undefined;
    probing ??= replica
      .raw('SELECT pg_is_in_recovery() AS standby')
      .then(({ rows }) => {
        // a promoted standby no longer follows this primary: its data would drift away from the registry's
        if (!rows[0].standby) throw new Error('REPLICA_DATABASE_URL is not in recovery (promoted?)');
        return true;
      })
      .catch((err: unknown) => {
        markDown(err);
        return false;
      });
    return (await probing) ? replica : undefined;
  }

  return {
    primary,
    hasReplica: !!replica,
    async run(work) {
      const db = await standby();
      if (db) {
        try {
          const place = await readPlaceOf(db);
          if ((place.lagSeconds ?? 0) > MAX_LAG_SECONDS)
            throw new ReplicaLagging(`the replica is ${Math.round(place.lagSeconds!)} s behind`);
          return { value: await work(db), place };
        } catch (err) {
          if (!fallsBack(err)) throw err;
          if (isConnectionLoss(err) || err instanceof ReplicaLagging) markDown(err);
          else logger.warn({ err }, 'a read on the replica is done again on the primary');
        }
      }
      return { value: await work(primary), place: { replica: false } };
    },
    async pool() {
      return (await standby()) ?? primary;
    },
    async close() {
      await replica?.destroy();
    },
  };
}
