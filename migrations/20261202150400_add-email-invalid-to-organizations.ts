// An organization passport's e-mail address (where a chair is written to as such) that bounced for good.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE organizations
    ADD COLUMN email_invalid_at timestamptz,
    ADD COLUMN email_invalid_reason text CHECK (length(email_invalid_reason) <= 500)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE organizations DROP COLUMN email_invalid_at, DROP COLUMN email_invalid_reason');
}
