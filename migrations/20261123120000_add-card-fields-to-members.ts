// The member card fields of domain.md beyond the core: SNILS for duplicate checks, the working
// member's position and professional group, the student's form and year of study.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE members
      ADD COLUMN snils text CHECK (snils ~ '^\\d{11}$'),
      ADD COLUMN position text CHECK (length(position) <= 200),
      ADD COLUMN professional_group text CHECK (length(professional_group) <= 200),
      ADD COLUMN study_form text CHECK (study_form IN ('full_time', 'part_time', 'distance')),
      ADD COLUMN study_year smallint CHECK (study_year BETWEEN 1 AND 7),
      ADD COLUMN left_reason text CHECK (left_reason IN ('voluntary', 'expelled', 'dismissed', 'graduated', 'died', 'other'))`);
  // Duplicate checks look people up by these; partial indexes keep them small.
  await knex.raw('CREATE INDEX members_identity_idx ON members (lower(surname), lower(name), birth_date)');
  await knex.raw('CREATE INDEX members_snils_idx ON members (snils) WHERE snils IS NOT NULL');
  await knex.raw('CREATE INDEX members_phone_idx ON members (phone) WHERE phone IS NOT NULL');
  await knex.raw('CREATE INDEX members_email_idx ON members (lower(email)) WHERE email IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX members_identity_idx, members_snils_idx, members_phone_idx, members_email_idx');
  await knex.raw('ALTER TABLE members DROP COLUMN snils, DROP COLUMN position, DROP COLUMN professional_group, DROP COLUMN study_form, DROP COLUMN study_year, DROP COLUMN left_reason');
}
