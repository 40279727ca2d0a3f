// The cards' typed professional groups onto the list: a value that matches a name of the list ignoring case,
// ё/е, quotes, hyphens and spacing (match_key(), the registry's one rule for names) takes the list's spelling;
// any other value moves to professional_group_unmatched for review and leaves the card empty. Only cards with
// a value are touched, in one statement each.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    UPDATE members m SET professional_group = g.name
      FROM professional_groups g
     WHERE m.professional_group IS NOT NULL AND match_key(m.professional_group) = match_key(g.name)
       AND m.professional_group IS DISTINCT FROM g.name`);
  await knex.raw(`
    INSERT INTO professional_group_unmatched (member_id, value)
    SELECT m.id, m.professional_group FROM members m
     WHERE m.professional_group IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM professional_groups g WHERE g.name = m.professional_group)
    ON CONFLICT (member_id) DO NOTHING`);
  await knex.raw(`
    UPDATE members m SET professional_group = NULL
      FROM professional_group_unmatched u WHERE u.member_id = m.id AND m.professional_group = u.value`);
}

/** The unmatched values go back onto their cards (the matched ones keep the list's spelling). */
export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    UPDATE members m SET professional_group = u.value
      FROM professional_group_unmatched u WHERE u.member_id = m.id AND m.professional_group IS NULL`);
  await knex.raw('DELETE FROM professional_group_unmatched');
}
