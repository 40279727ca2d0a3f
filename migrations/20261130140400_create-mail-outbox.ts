// Every outgoing letter: sent through SMTP_URL when it is set, else kept here for the federal
// administrator's /admin/mail (development and `npm start` need no mail server). A letter that went out
// through SMTP keeps no text here: it carries a one-time link, which must not outlive the mailbox it went to.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE mail_outbox (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      to_address text NOT NULL CHECK (length(to_address) <= 254),
      subject text NOT NULL,
      body text,
      status text NOT NULL CHECK (status IN ('kept','sent','failed')),
      error text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX mail_outbox_created_idx ON mail_outbox (created_at DESC, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE mail_outbox');
}
