// Issue 15, item 2: filters of the member list that walked far more than they show.
// - «согласие на рассылку» found the active consents of a kind by reading all 3.2 M consent rows (no index
//   starts with the kind): 0.3–0.5 s for a region or the union even when nobody matched. The active consents
//   of a kind, by member: the planner starts from them when they are few and probes them per card when many.
// - a category sorted by birth or joining date walked each region's (region, date) index past everyone else:
//   students are the youngest and the latest to join, so the union's first page of students by birth date read
//   3.3 M cards (17 s; over the statement timeout). A region's cards of one category in date order are a
//   range of these indexes (by name the categories are spread evenly, and the name index serves them).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX member_consents_active_kind_idx ON member_consents (kind, member_id) WHERE withdrawn_on IS NULL',
  );
  await knex.raw('CREATE INDEX members_region_category_birth_idx ON members (region_id, category, birth_date, id)');
  await knex.raw('CREATE INDEX members_region_category_joined_idx ON members (region_id, category, joined_on, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX members_region_category_joined_idx');
  await knex.raw('DROP INDEX members_region_category_birth_idx');
  await knex.raw('DROP INDEX member_consents_active_kind_idx');
}
