// Issue 15, item 2: a member list filtered on the card's own fields walks a region's sort index and tested
// each card it passed in the heap: the union's students by name fetched ~2,000 cards per region for 51 rows
// (0.85 s), its members under 35 by joining date walked the old joiners first, who are older (3 s), and every
// list of today fetched the cards that have left only to drop them. The sort indexes now carry the fields
// the list filters on (state, merge, category, sex, pedagogical post, birth and joining dates) as trailing
// key columns: a btree tests them on the index entry, so only matching cards are read. They follow the
// sort key and the id, which is unique, so the order of each index is the same as before.
import type { Knex } from 'knex';

export const config = { transaction: false };

const FILTERED = ['left_on', 'merged_into_id', 'category', 'sex', 'is_pedagogical', 'birth_date', 'joined_on'];

const SORT_INDEXES: Record<string, string[]> = {
  members_region_name_idx: ['surname', 'name', 'id'],
  members_region_birth_idx: ['birth_date', 'id'],
  members_region_joined_idx: ['joined_on', 'id'],
};

async function rebuild(knex: Knex, name: string, columns: string[]) {
  await knex.raw(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name}_next ON members (${columns.join(', ')})`);
  await knex.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  await knex.raw(`ALTER INDEX ${name}_next RENAME TO ${name}`);
}

export async function up(knex: Knex): Promise<void> {
  for (const [name, key] of Object.entries(SORT_INDEXES)) {
    await rebuild(knex, name, ['region_id', ...key, ...FILTERED.filter((c) => !key.includes(c))]);
  }
  // the addresses that bounced, on record or not: a list of a date (or of those who left) with «адрес
  // недействителен» read every card for none (members_email_invalid_idx holds those on record only)
  await knex.raw(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS members_email_invalid_region_idx ON members (region_id) WHERE email_invalid_at IS NOT NULL',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS members_email_invalid_region_idx');
  for (const [name, key] of Object.entries(SORT_INDEXES)) await rebuild(knex, name, ['region_id', ...key]);
}
