// A card's professional group is one of the list's names: a foreign key (renaming a group renames it on
// the cards). Added NOT VALID and validated apart, so the 4 M cards are checked without blocking writes.
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE members ADD CONSTRAINT members_professional_group_fkey FOREIGN KEY (professional_group)
      REFERENCES professional_groups (name) ON UPDATE CASCADE NOT VALID`);
  await knex.raw('ALTER TABLE members VALIDATE CONSTRAINT members_professional_group_fkey');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE members DROP CONSTRAINT members_professional_group_fkey');
}
