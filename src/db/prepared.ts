import crypto from 'node:crypto';
import type pg from 'pg';

// Prepared statements for the few statements every page sends (issue 15, pages at 32 clients). Parsing and
// planning them cost PostgreSQL more than running them: the passport header planned in 1.0 ms and ran in
// 0.2 ms, the card page's statement 0.65 ms against 0.38 ms. A named statement is parsed once per connection,
// and after five runs PostgreSQL keeps a generic plan when it costs no more than the custom ones.
// Only statements whose text never varies and whose parameters are keys (an id, an ИНПО, a session id) are
// named: their generic plan is the custom one, and their number per connection is bounded by the code.

/** The option a knex query carries to be sent as a named statement: `query.options(PREPARED)`. */
export const PREPARED = Object.freeze({ prepare: true });

const names = new Map<string, string>();

/** The statement's name: from its text, so two texts never share a name on one connection (pg refuses that). */
function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `p_${crypto.createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    if (names.size < 1000) names.set(text, name);
  }
  return name;
}

type QueryArgs = [config: unknown, ...rest: unknown[]];

/**
 * Sends the connection's queries marked with PREPARED as named statements; with `all`, every query sent
 * with values (the session store's, whose few texts are fixed). Called on each new connection of a pool.
 */
export function nameStatementsOf(client: pg.Client, { all = false }: { all?: boolean } = {}): void {
  const query = client.query.bind(client) as (...args: QueryArgs) => unknown;
  (client as { query: (...args: QueryArgs) => unknown }).query = (config: unknown, ...rest: unknown[]) => {
    if (all && typeof config === 'string' && Array.isArray(rest[0]))
      return query({ text: config, values: rest[0], name: nameOf(config) }, ...rest.slice(1));
    const marked = config as { text?: unknown; prepare?: boolean } | null;
    if (marked?.prepare === true && typeof marked.text === 'string')
      return query({ ...marked, name: nameOf(marked.text) }, ...rest);
    return query(config, ...rest);
  };
}
