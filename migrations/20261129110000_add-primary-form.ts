// Which primary statistical form a ППО files is the ППО's own attribute, chosen in its passport
// (employees only → 5-СП, employees and students → 4-СП, students only → 3-СП), no longer implied by
// the employer kind (which made both 4-СП and 3-СП apply to every college and university). Existing
// ППО start from what their employer kind implied: colleges and universities 4-СП, the others 5-СП.
// Other levels carry the default and never read it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE organizations ADD COLUMN primary_form text NOT NULL DEFAULT '5-SP'
                    CONSTRAINT organizations_primary_form_check CHECK (primary_form IN ('5-SP', '4-SP', '3-SP'))`);
  await knex.raw(`UPDATE organizations SET primary_form = '4-SP' WHERE level = 'primary' AND employer_kind IN ('college', 'university')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE organizations DROP COLUMN primary_form');
}
