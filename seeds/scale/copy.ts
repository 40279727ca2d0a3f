import type { Knex } from 'knex';
import { copyInto, copyLine } from '../../src/db/copy';

/**
 * COPYs the rows a generator yields into `table`, respecting backpressure, so millions of rows pass
 * through a small buffer. Returns the number of rows.
 */
export async function copyRows(
  db: Knex,
  table: string,
  columns: string[],
  rows: Iterable<(string | number | boolean | null)[]>,
): Promise<number> {
  let count = 0;
  await copyInto(db, table, columns, async (write) => {
    let chunk = '';
    for (const row of rows) {
      chunk += copyLine(row);
      count++;
      if (chunk.length > 1 << 20) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
  });
  return count;
}
