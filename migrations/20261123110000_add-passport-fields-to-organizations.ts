// General data of the passport: the employer's INN and the organization's contacts.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE organizations
      ADD COLUMN employer_inn text CHECK (employer_inn ~ '^(\\d{10}|\\d{12})$'),
      ADD COLUMN address text CHECK (length(address) <= 500),
      ADD COLUMN phone text CHECK (length(phone) <= 50),
      ADD COLUMN email text CHECK (length(email) <= 254),
      ADD COLUMN website text CHECK (length(website) <= 300),
      ADD COLUMN merged_into_id integer REFERENCES organizations(id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE organizations
      DROP COLUMN employer_inn, DROP COLUMN address, DROP COLUMN phone, DROP COLUMN email, DROP COLUMN website,
      DROP COLUMN merged_into_id`);
}
