import type { Knex } from 'knex';
import { createRequire } from 'node:module';

// How many statements a call sends, and the floor of the same work: every one of those statements sent
// in a single round trip (one simple-protocol query of them all), so that only the round trips and the
// engine's JavaScript stand between the call and the floor.

export interface StatementCount {
  statements: number;
  /** the call's statements with their values written in, to be sent together */
  sql: string[];
}

/** A statement as knex sends it (`$n` placeholders) with its values written in as the driver would send them. */
export function writtenIn(sql: string, bindings: readonly unknown[] = []): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const value = bindings[Number(n) - 1];
    const text = prepareValue(value);
    return text === null ? 'NULL' : `'${String(text).replace(/'/g, "''")}'`;
  });
}

/** pg's own conversion of a parameter to its text (arrays as '{…}', dates as timestamps). */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue: (value: unknown) => string | Buffer | null;
};

/** Runs `work` on `db` and records the statements it sends (`db` should be used by nothing else meanwhile). */
export async function recordStatements(db: Knex, work: () => Promise<unknown>): Promise<StatementCount> {
  const sql: string[] = [];
  const listener = (q: { sql: string; bindings?: readonly unknown[] }) => sql.push(writtenIn(q.sql, q.bindings));
  db.on('query', listener);
  try {
    await work();
  } finally {
    db.off('query', listener);
  }
  return { statements: sql.length, sql };
}

/** The statements sent together, `runs` times: p50 in ms. */
export async function floorOf(db: Knex, sql: string[], runs: number): Promise<number> {
  const batch = sql.map((s) => s.replace(/;\s*$/, '')).join(';\n');
  // straight on a pg connection: knex would read the written-in values' question marks as placeholders
  const connection = (await db.client.acquireConnection()) as { query: (text: string) => Promise<unknown> };
  try {
    await connection.query(batch);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await connection.query(batch);
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  } finally {
    await db.client.releaseConnection(connection);
  }
}
