import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type CopyValue = string | number | boolean | null | undefined;

/** Text-format COPY value: NULL as \N, and the characters COPY treats specially escaped. */
export function copyValue(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** One text-format line of COPY input. */
export const copyLine = (values: CopyValue[]): string => `${values.map(copyValue).join('\t')}\n`;

/**
 * One COPY into `table` on `db`'s connection — a transaction's own, so its temporary tables are visible.
 * `feed` writes text-format lines (as text or UTF-8 bytes) through `write`, which waits while the server catches up; a failing
 * feed aborts the COPY (CopyFail), leaving the connection usable for the rollback.
 */
export async function copyInto(
  db: Knex,
  table: string,
  columns: readonly string[],
  feed: (write: (data: string | Buffer) => Promise<void>) => Promise<void>,
): Promise<void> {
  const client = (await db.client.acquireConnection()) as PoolClient;
  try {
    const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    const done = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    done.catch(() => undefined); // awaited below; a failure while `feed` runs must not count as unhandled
    const write = async (data: string | Buffer) => {
      if (!stream.write(data)) await Promise.race([new Promise((resolve) => stream.once('drain', resolve)), done]);
    };
    try {
      await feed(write);
    } catch (err) {
      stream.destroy(err as Error);
      await done.catch(() => undefined);
      throw err;
    }
    stream.end();
    await done;
  } finally {
    await db.client.releaseConnection(client);
  }
}
