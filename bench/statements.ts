import type { Knex } from 'knex';

// How many statements a call sends, and the floor of the same work: every one of those statements sent
// in a single round trip (one simple-protocol query of them all), so that only the round trips and the
// engine's JavaScript stand between the call and the floor.

export interface StatementCount {
  statements: number;
  /** the call's statements with their values written in, to be sent together */
  sql: string[];
}

/** Runs `work` on `db` and records the statements it sends (`db` should be used by nothing else meanwhile). */
export async function recordStatements(db: Knex, work: () => Promise<unknown>): Promise<StatementCount> {
  const sql: string[] = [];
  const listener = (q: { sql: string; bindings?: readonly unknown[] }) =>
    sql.push(db.raw(q.sql, (q.bindings ?? []) as Knex.RawBinding[]).toQuery());
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
