import type { Knex } from 'knex';
import type { PoolClient, QueryResult } from 'pg';

/** pg-boss's database interface: one SQL text with `$n` parameters. */
export interface JobDb {
  executeSql(text: string, values?: unknown[]): Promise<QueryResult>;
}

/**
 * pg-boss over the app's own knex pool, or over a transaction: a job sent on a transaction is queued
 * only if the transaction commits, with the row it is about (a letter, an export). pg-boss's SQL goes
 * to the pg connection as written, since knex would read its `$n` and `?` differently; a transaction's
 * client hands out its own connection and keeps it on release.
 */
export function jobDbOf(db: Knex | Knex.Transaction): JobDb {
  return {
    async executeSql(text, values) {
      const client = (await db.client.acquireConnection()) as PoolClient;
      try {
        return await client.query(text, values);
      } catch (err) {
        // pg-boss's maintenance sends BEGIN; …; COMMIT as one text: a failure inside leaves the transaction
        // open and aborted, and the connection must not go back to the pool so
        if (/^\s*BEGIN\b/i.test(text)) await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        await db.client.releaseConnection(client);
      }
    },
  };
}
