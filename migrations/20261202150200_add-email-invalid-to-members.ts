// A member's e-mail address that bounced for good (a mailing's hard bounce): when and why. The member
// list marks and filters such cards, and later mailings skip the address until it is edited.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE members
    ADD COLUMN email_invalid_at timestamptz,
    ADD COLUMN email_invalid_reason text CHECK (length(email_invalid_reason) <= 500)`);
  await knex.raw(
    'CREATE INDEX members_email_invalid_idx ON members (organization_id) WHERE email_invalid_at IS NOT NULL AND left_on IS NULL',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE members DROP COLUMN email_invalid_at, DROP COLUMN email_invalid_reason');
}
