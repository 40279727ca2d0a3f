import knex, { type Knex } from 'knex';
import pg from 'pg';
import type { Logger } from 'pino';
import { appTimeZone } from '../shared/dates';
import { nameStatementsOf } from './prepared';

// DATE columns stay 'YYYY-MM-DD' strings: a reporting date must never shift with the server's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
// COUNT(*) and SUM() return bigint; every count in the registry fits in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Db = Knex;

const pgLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

export interface DbOptions {
  poolMax?: number;
  statementTimeoutMs?: number;
  /** Shown in pg_stat_activity: the app's pool and the owner's (migrations, seeds) tell apart there. */
  applicationName?: string;
  /** The session's TimeZone: the union's (APP_TIME_ZONE) unless told, so CURRENT_DATE is the app's today. */
  timeZone?: string;
  /** Where knex's own warnings go (pool errors are also thrown to the caller). */
  logger?: Logger;
  /** How long opening a connection may take (a server that does not answer); unbounded unless told. */
  connectTimeoutMs?: number;
  /** How long a query waits for a free connection of the pool. */
  acquireTimeoutMs?: number;
}

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const {
    poolMax = 10,
    statementTimeoutMs = 15000,
    applicationName = 'reestr',
    timeZone = appTimeZone(),
    logger,
    connectTimeoutMs,
    acquireTimeoutMs = 10000,
  } = options;
  return knex({
    client: 'pg',
    connection: {
      connectionString,
      application_name: applicationName,
      ...(connectTimeoutMs ? { connectionTimeoutMillis: connectTimeoutMs } : {}),
    },
    pool: {
      min: 0,
      max: poolMax,
      afterCreate(conn: pg.Client, done: (err: Error | null, conn: pg.Client) => void) {
        // JIT off: the planner's cost of ltree lookups is blind to the tree (an ancestor query of four rows
        // is estimated at 1,500), so PostgreSQL compiled a passport page's query for 190 ms to run it in 1 ms.
        // A FATAL error (57P01 when a restart or failover terminates the backend) fails the running query
        // before the socket closes; in that gap knex took the connection back as healthy and handed it to the
        // next request, which failed too. Marked here, the pool's check on hand-out discards it.
        nameStatementsOf(conn);
        conn.connection.on('errorMessage', (msg: { severity?: string }) => {
          if (msg.severity === 'FATAL') (conn as pg.Client & { __knex__disposed?: unknown }).__knex__disposed = msg;
        });
        // CURRENT_DATE, column defaults and triggers take today in the session's zone: the union's, as the app does.
        // Instants (timestamptz) are unaffected: they are stored in UTC and arrive as Date objects.
        const setup = [
          `SET statement_timeout = ${Number(statementTimeoutMs)}`,
          `SET TIME ZONE ${pgLiteral(timeZone)}`,
          'SET jit = off',
        ];
        conn.query(setup.join('; '), (err: Error | null) => done(err, conn));
      },
    },
    acquireConnectionTimeout: acquireTimeoutMs,
    ...(logger
      ? {
          log: {
            warn: (message: unknown) => logger.warn({ knex: String(message) }, 'knex warning'),
            error: (message: unknown) => logger.error({ knex: String(message) }, 'knex error'),
            deprecate: (method: string, alternative: string) =>
              logger.warn({ method, alternative }, 'knex deprecation'),
            debug: () => {},
          },
        }
      : {}),
  });
}
