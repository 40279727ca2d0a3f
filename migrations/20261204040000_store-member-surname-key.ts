// Issue 15, item 4: a surname search at 32 clients spent its time rechecking match_key(surname) — two
// regular expressions and an ICU lower() — on every card the trigram index offers (a region's fragment
// offers up to 5,000: ~6 µs each, most of the statement). The key is stored beside the surname now, a
// generated column PostgreSQL itself keeps equal to match_key(surname) on every insert and update, and the
// region's trigram index moves onto it, so the recheck compares stored text.
//
// Adding a stored column rewrites the 4 M cards under an exclusive lock: 82 s on the benchmark's union
// (2 cores shared with other work, load 5), the whole migration with its index and ANALYZE — a
// maintenance window's work. A nullable column filled in batches would not hold that lock,
// but every batch writes a second version of its cards into full pages — a new entry in each of the
// table's fifteen indexes per card, and the old expression index recomputing match_key() for each — and
// leaves the table and its indexes twice their size until a VACUUM FULL, which is the same lock again.
// The rewrite builds the table and its indexes once, compact. The old expression index is dropped first,
// so the rewrite does not compute match_key() a second time for it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw("SET LOCAL maintenance_work_mem = '512MB'");
  await knex.raw('DROP INDEX IF EXISTS members_region_surname_key_trgm');
  await knex.raw('ALTER TABLE members ADD COLUMN surname_key text GENERATED ALWAYS AS (match_key(surname)) STORED');
  await knex.raw('CREATE INDEX members_region_surname_key_trgm ON members USING gin (region_id, surname_key gin_trgm_ops)');
  // the new column has no statistics until analyzed: the planner took a fragment for 16 cards of 1,950 (0.5 s)
  await knex.raw('ANALYZE members');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE members DROP COLUMN surname_key');
  await knex.raw(
    'CREATE INDEX members_region_surname_key_trgm ON members USING gin (region_id, match_key(surname) gin_trgm_ops)',
  );
}
