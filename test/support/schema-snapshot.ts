import type { Knex } from 'knex';

/**
 * The public schema as the catalogs describe it, one sorted list of definitions per kind: what a
 * migration's down() must undo exactly for a round trip to give the same database back. Knex's own
 * bookkeeping tables are left out (they record the round trip itself).
 */
const CATALOG_QUERIES = {
  extensions: `SELECT extname FROM pg_extension`,
  types: `SELECT t.typname || ' ' || t.typtype::text || coalesce(' (' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) || ')', '')
            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c') AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')`,
  relations: `SELECT c.relname || ' ' || c.relkind::text || ' rls=' || c.relrowsecurity || ' acl=' || coalesce(c.relacl::text, '-')
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relname NOT LIKE 'knex\\_%'`,
  columns: `SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
                   || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END || ' acl=' || coalesce(a.attacl::text, '-')
              FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped AND c.relname NOT LIKE 'knex\\_%'`,
  constraints: `SELECT c.conrelid::regclass || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
                  FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                 WHERE n.nspname = 'public' AND c.conrelid <> 0 AND c.conrelid::regclass::text NOT LIKE 'knex\\_%'`,
  indexes: `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'knex\\_%'`,
  triggers: `SELECT pg_get_triggerdef(t.oid) || CASE t.tgenabled WHEN 'D' THEN ' disabled' ELSE '' END
               FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND NOT t.tgisinternal`,
  functions: `SELECT pg_get_functiondef(p.oid) || ' acl=' || coalesce(p.proacl::text, '-')
                FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p') AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
  views: `SELECT c.relname || ': ' || pg_get_viewdef(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm')`,
  policies: `SELECT tablename || ' ' || policyname || ' ' || cmd || ' ' || array_to_string(roles, ',') || ' using ' || coalesce(qual, '-') || ' check ' || coalesce(with_check, '-')
               FROM pg_policies WHERE schemaname = 'public'`,
  defaultPrivileges: `SELECT pg_get_userbyid(defaclrole) || ' ' || defaclobjtype::text || ' ' || defaclacl::text FROM pg_default_acl`,
} satisfies Record<string, string>;

export type SchemaKind = keyof typeof CATALOG_QUERIES;
export type SchemaSnapshot = Record<SchemaKind, string[]>;

export async function schemaSnapshot(db: Knex): Promise<SchemaSnapshot> {
  const snapshot: Partial<SchemaSnapshot> = {};
  for (const kind of Object.keys(CATALOG_QUERIES) as SchemaKind[]) {
    const { rows } = await db.raw(CATALOG_QUERIES[kind]);
    snapshot[kind] = rows.map((row: Record<string, string>) => Object.values(row)[0]).sort();
  }
  return snapshot as SchemaSnapshot;
}
