// Consents under 152-ФЗ: processing and mailing (per channel) are separate records with the date, the
// source and the version of the text signed; a withdrawal closes a record, a new consent is a new row.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE member_consents (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      member_id bigint NOT NULL REFERENCES members(id),
      kind text NOT NULL CHECK (kind IN ('processing', 'mailing')),
      channel text CHECK (channel IN ('email', 'sms', 'push')),
      text_version text NOT NULL CHECK (length(text_version) BETWEEN 1 AND 50),
      source text NOT NULL CHECK (source IN ('paper', 'online')),
      given_on date NOT NULL,
      withdrawn_on date,
      actor_user_id integer REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'mailing') = (channel IS NOT NULL)),
      CHECK (withdrawn_on IS NULL OR withdrawn_on >= given_on)
    )`);
  await knex.raw(`CREATE UNIQUE INDEX member_consents_one_active ON member_consents (member_id, kind, coalesce(channel, ''))
                  WHERE withdrawn_on IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE member_consents');
}
