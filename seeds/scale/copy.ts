import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Text-format COPY value: NULL as \N, and the characters COPY treats specially escaped. */
export function copyValue(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * COPYs the rows a generator yields into `table`, respecting backpressure, so millions of rows pass
 * through a small buffer. Returns the number of rows.
 */
export async function copyRows(db: Knex, table: string, columns: string[], rows: Iterable<(string | number | boolean | null)[]>): Promise<number> {
  const client = (await db.client.acquireConnection()) as PoolClient;
  let count = 0;
  try {
    const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    const done = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    let chunk = '';
    for (const row of rows) {
      chunk += `${row.map(copyValue).join('\t')}\n`;
      count++;
      if (chunk.length > 1 << 20) {
        if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve));
        chunk = '';
      }
    }
    stream.end(chunk);
    await done;
  } finally {
    await db.client.releaseConnection(client);
  }
  return count;
}
