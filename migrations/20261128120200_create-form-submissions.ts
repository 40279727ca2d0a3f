// A double click sent the same form twice and made two cards, two filings, two exits. Every form now
// carries a one-time token; the first request with a token claims it here and, when it ends in a
// redirect, leaves the address it redirected to, so a repeat of the same form is sent to that result
// instead of doing the write again. Rows are kept a day (hourly housekeeping).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE form_submissions (
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      token uuid NOT NULL,
      claimed_at timestamptz NOT NULL DEFAULT now(),
      result_url text,
      PRIMARY KEY (user_id, token)
    )`);
  await knex.raw('CREATE INDEX form_submissions_claimed_idx ON form_submissions (claimed_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE form_submissions');
}
