import type { Knex } from 'knex';

/** Tables whose rows a request may add without changing the registry: the session store and the throttles' counts. */
const SESSION_TABLES = ['sessions', 'login_failures', 'unsubscribe_misses', 'card_check_requests'];

export interface Fingerprint {
  /** Per table (every table of the schema, so a new one is covered): row count and an order-free checksum of its rows. */
  tables: Record<string, string>;
  /** The last audit row's id: what came after it is read from audit_log itself. */
  lastAuditId: number;
}

/** The database's state in one statement: a count and a sum of row hashes per table (small test databases only). */
export async function fingerprint(db: Knex): Promise<Fingerprint> {
  const { rows: tables } = await db.raw(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> ALL(?) AND c.relname <> 'audit_log' ORDER BY 1`,
    [SESSION_TABLES],
  );
  const parts = tables.map(
    (t: { name: string }) =>
      `SELECT '${t.name}' AS name, count(*) || ':' || coalesce(sum(hashtext(x::text)::bigint), 0) AS sum FROM "${t.name}" x`,
  );
  const { rows } = await db.raw(parts.join(' UNION ALL '));
  const audit = await db('audit_log').max('id as id').first();
  return {
    tables: Object.fromEntries(rows.map((r: { name: string; sum: string }) => [r.name, r.sum])),
    lastAuditId: Number(audit?.id ?? 0),
  };
}

/** Tables whose rows differ between two fingerprints. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return Object.keys({ ...before.tables, ...after.tables }).filter((t) => before.tables[t] !== after.tables[t]);
}

/** Audit rows written since a fingerprint, as their actions. */
export async function auditActionsSince(db: Knex, before: Fingerprint): Promise<string[]> {
  return db('audit_log').where('id', '>', before.lastAuditId).orderBy('id').pluck('action');
}

/**
 * Figures derivable from the registry that a page may compute and keep while it reads (docs/derived-data.md):
 * the union reports' statistics and the monitoring's kept figures — caches, not the registry's state, so a
 * read that fills them still writes nothing.
 */
export const DERIVED_CACHES: ReadonlySet<string> = new Set([
  'member_state_cache',
  'member_state_cached_orgs',
  'union_stats',
  'union_stats_fresh',
  'monitoring_cache',
]);
