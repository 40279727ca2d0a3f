import type { Knex } from 'knex';

// A read that may travel alone or inside a larger statement: a ППО's report sends its figures and the lists
// behind its data gaps in one round trip (issue 15: each statement of a small report costs more in round
// trips and wake-ups than its work).

/** A query's text (with `?` placeholders) and its values. */
export interface RowsQuery {
  sql: string;
  bindings: readonly Knex.RawBinding[];
}

/** The query's rows as one JSON array, a column of a larger statement (in the order the query gives them). */
export const asJsonColumn = (sql: string) => `(SELECT coalesce(json_agg(x), '[]') FROM (${sql}) x)`;

/** Each query sent on its own, one after another. */
export async function readEach<K extends string>(
  db: Knex,
  queries: Partial<Record<K, RowsQuery>>,
): Promise<Partial<Record<K, Record<string, unknown>[]>>> {
  const rows: Partial<Record<K, Record<string, unknown>[]>> = {};
  for (const [key, q] of Object.entries(queries) as [K, RowsQuery][])
    rows[key] = (await db.raw(q.sql, q.bindings)).rows;
  return rows;
}

/** Queries sent in one statement (one round trip), each query's rows in their order. */
export async function readTogether(db: Knex, queries: RowsQuery[]): Promise<Record<string, unknown>[][]> {
  if (!queries.length) return [];
  const { rows } = await db.raw(
    `SELECT ${queries.map((q, i) => `${asJsonColumn(q.sql)} AS r${i}`).join(', ')}`,
    queries.flatMap((q) => q.bindings),
  );
  return queries.map((_, i) => rows[0][`r${i}`]);
}
