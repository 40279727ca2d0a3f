// The collective agreement of an organization (one current record; its changes are in the audit log)
// and its annexes.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE collective_agreements (
      organization_id integer PRIMARY KEY REFERENCES organizations(id),
      status text NOT NULL CHECK (status IN ('active','expired','negotiating','none')),
      none_reason text,
      signed_on date,
      valid_from date,
      valid_to date,
      registration_number text,
      registration_date date,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from),
      CHECK (status <> 'none' OR none_reason IS NOT NULL),
      CHECK (status NOT IN ('active','expired') OR (signed_on IS NOT NULL AND valid_from IS NOT NULL AND valid_to IS NOT NULL))
    )`);
  await knex.raw(`
    CREATE TABLE agreement_annexes (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id integer NOT NULL REFERENCES collective_agreements(organization_id) ON DELETE CASCADE,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
      signed_on date,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX agreement_annexes_organization_idx ON agreement_annexes (organization_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE agreement_annexes');
  await knex.raw('DROP TABLE collective_agreements');
}
