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
  // A client that left while the request waited (for a pooled connection, say) closed the response before
  // these listeners were there: no 'close' comes again, and a writer waiting for 'drain' held its cursor
  // and connection for good (a storm of dropped downloads during a database restart held the whole pool).
  if ((receiver as Writable & { closed?: boolean }).closed || receiver.destroyed)
    gone.abort(new Error('the receiver closed before the start'));
  return { out, signal: gone.signal, rows: 0 };
}

// Rows per round trip of the cursor (pg-query-stream's default is 100): twice as few round trips, and a
// batch of a member list is still only ~35 KB of CSV.
const BATCH_ROWS = 200;

/**
 * Streams the rows of `query` from a server-side cursor through `write` (which writes to `sink.out`, directly
 * or through a workbook writer, and returns a promise when it must be waited for before the next row: a
 * workbook's compressor behind), waiting while `out` is full, and stops as soon as the receiver has gone (the
 * signal's reason is thrown). However it ends, the cursor is closed and its connection returned to the pool.
 * Returns the number of rows written.
 *
 * Why not knex's `.stream()`: a writer that waited for a 'drain' which never came (the client had left)
 * kept the cursor's connection for good — a dozen dropped downloads held the whole pool and /readyz
 * answered 503 until a restart. Here the connection is taken and given back in one place.
 */
export async function streamRows<T>(
  db: Knex,
  query: Knex.QueryBuilder | Knex.Raw,
  sink: RowSink,
  write: (row: T) => void | Promise<void>,
): Promise<number> {
  sink.signal.throwIfAborted();
  const { sql, bindings } = query.toSQL().toNative();
  const connection: PooledClient = await db.client.acquireConnection();
  let rows: QueryStream | undefined;
  const lost = connectionLost(connection);
  try {
    rows = connection.query(new QueryStream(sql, bindings as unknown[], { batchSize: BATCH_ROWS }));
    const next = (rows as AsyncIterable<T>)[Symbol.asyncIterator]();
    for (;;) {
      // a cursor whose backend was terminated between two batches neither delivers nor fails its next batch
      const step = await lost.unlessLost(next.next());
      if (step.done) break;
      const row = step.value;
      sink.signal.throwIfAborted();
      const written = write(row);
      if (written instanceof Promise) await written;
      sink.rows++;
      sink.onRow?.(sink.rows);
      if (sink.out.writableNeedDrain) await once(sink.out, 'drain', { signal: sink.signal });
    }
    return sink.rows;
  } finally {
    lost.stop();
    if (rows) await closeCursor(rows, connection);
    await db.client.releaseConnection(connection);
  }
}

/**
 * Waits for a step of the cursor unless the connection fails or ends first; `stop` takes its listeners off
 * the pooled connection.
 *
 * Why not `Promise.race([step, lossPromise])` with one long-lived loss promise: each race leaves a reaction on
 * that promise, which never settles, and the reaction holds the race's result — the row. Every row written
 * stayed in memory until the end (+1.3 KB a row: RSS +350…+477 MB for a 305,349-row export). Here only the
 * pending step can be failed, and a settled step is referenced by nothing.
 */
function connectionLost(connection: PooledClient): {
  unlessLost: <S>(step: Promise<S>) => Promise<S>;
  stop: () => void;
} {
  let lostWith: unknown;
  let failPending: ((err: unknown) => void) | undefined;
  const fail = (err: unknown) => {
    lostWith ??= err;
    failPending?.(err);
  };
  const onEnd = () => fail(new Error('Connection terminated unexpectedly'));
  connection.on('error', fail);
  connection.on('end', onEnd);
  if (connection.__knex__disposed) fail(connection.__knex__disposed);
  return {
    unlessLost: (step) => {
      step.catch(() => undefined); // lost the race: its failure, should it come, is no one's to handle
      // already lost: a step that has settled still wins, as in a race (a fresh promise, held by no one after)
      if (lostWith !== undefined) return Promise.race([step, Promise.reject(lostWith)]);
      return new Promise((resolve, reject) => {
        failPending = reject;
        step.then(resolve, reject).finally(() => {
          if (failPending === reject) failPending = undefined;
        });
      });
    },
    stop: () => {
      connection.off('error', fail);
      connection.off('end', onEnd);
    },
  };
}

/** knex's mark of a connection that has failed (its 'error' or 'end', or a FATAL message: knex.ts): never handed out again. */
type PooledClient = pg.Client & { __knex__disposed?: unknown };

/** How long a cursor's close may take before its connection is given up as broken. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * Closes the cursor's portal and waits until the server has done so, so that the connection goes back to
 * the pool with nothing running on it. A connection that has already failed is not waited for: the server
 * will never answer the close, and its 'end' has come and gone (waiting for it held a dropped download's
 * connection for good after a database restart); one that does not answer in time is marked broken, so the
 * pool destroys it instead of handing it out.
 */
async function closeCursor(rows: QueryStream, connection: PooledClient): Promise<void> {
  if (rows.closed) return;
  if (connection.__knex__disposed) {
    rows.destroy();
    return;
  }
  const done = new AbortController();
  const closed = once(rows, 'close', { signal: done.signal });
  const lost = once(connection, 'end', { signal: done.signal });
  const late = new Promise<'late'>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS, 'late').unref());
  rows.destroy();
  const outcome = await Promise.race([closed, lost, late]).catch(() => undefined);
  if (outcome === 'late')
    connection.__knex__disposed ??= new Error(`the cursor did not close within ${CLOSE_TIMEOUT_MS} ms`);
  done.abort(); // the other wait's listener leaves the pooled connection
}
