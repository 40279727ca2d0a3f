import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import type pg from 'pg';
import QueryStream from 'pg-query-stream';

/** Where streamed rows go: the file's bytes, a signal raised when the receiver has gone, and the rows written so far. */
export interface RowSink {
  readonly out: Writable;
  readonly signal: AbortSignal;
  rows: number;
  /** Called after each row (a background job's progress). */
  onRow?: (rows: number) => void;
}

/**
 * A sink writing to `out` whose signal is raised when `receiver` (the response, or `out` itself for a file)
 * closes before it finished — the client went away — or fails, as a full disk does. The 'error' listener
 * also keeps such a failure from crashing the process: the writer learns of it from the signal.
 */
export function sinkUntilGone(out: Writable, receiver: Writable = out): RowSink {
  const gone = new AbortController();
  receiver.on('error', (err) => gone.abort(err));
  receiver.once('close', () => {
    if (!receiver.writableFinished) gone.abort(new Error('the receiver closed before the end'));
  });
  return { out, signal: gone.signal, rows: 0 };
}

// Rows per round trip of the cursor (pg-query-stream's default is 100): twice as few round trips, and a
// batch of a member list is still only ~35 KB of CSV.
const BATCH_ROWS = 200;

/**
 * Streams the rows of `query` from a server-side cursor through `write` (which writes to `sink.out`, directly
 * or through a workbook writer), waiting while `out` is full, and stops as soon as the receiver has gone (the
 * signal's reason is thrown). However it ends, the cursor is closed and its connection returned to the pool.
 * Returns the number of rows written.
 *
 * Why not knex's `.stream()`: a writer that waited for a 'drain' which never came (the client had left)
 * kept the cursor's connection for good — a dozen dropped downloads held the whole pool and /readyz
 * answered 503 until a restart. Here the connection is taken and given back in one place.
 */
export async function streamRows<T>(db: Knex, query: Knex.QueryBuilder | Knex.Raw, sink: RowSink, write: (row: T) => void): Promise<number> {
  sink.signal.throwIfAborted();
  const { sql, bindings } = query.toSQL().toNative();
  const connection: pg.Client = await db.client.acquireConnection();
  let rows: QueryStream | undefined;
  try {
    rows = connection.query(new QueryStream(sql, bindings as unknown[], { batchSize: BATCH_ROWS }));
    for await (const row of rows as AsyncIterable<T>) {
      sink.signal.throwIfAborted();
      write(row);
      sink.rows++;
      sink.onRow?.(sink.rows);
      if (sink.out.writableNeedDrain) await once(sink.out, 'drain', { signal: sink.signal });
    }
    return sink.rows;
  } finally {
    if (rows) await closeCursor(rows, connection);
    await db.client.releaseConnection(connection);
  }
}

/**
 * Closes the cursor's portal and waits until the server has done so (or the connection is lost), so that
 * the connection goes back to the pool with nothing running on it.
 */
async function closeCursor(rows: QueryStream, connection: pg.Client): Promise<void> {
  if (rows.closed) return;
  const done = new AbortController();
  const closed = once(rows, 'close', { signal: done.signal });
  const lost = once(connection, 'end', { signal: done.signal });
  rows.destroy();
  await Promise.race([closed, lost]).catch(() => undefined);
  done.abort(); // the other wait's listener leaves the pooled connection
}
