// Server-side drafts of the long typed forms (admission, the passport's general data): what a user typed,
// kept per (user, form) so that a submit lost to a dropped connection or an expired session can be
// restored on the next visit of the form. Only their author reads them; the hourly housekeeping deletes
// drafts older than 7 days, and a user's drafts go with the user (and with their «Выйти»).
// The size check bounds what a script posting drafts could store: the largest form (general data with its
// version snapshot) is about 2 KB as typed.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE form_drafts (
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      form_key text NOT NULL CHECK (length(form_key) <= 80),
      fields jsonb NOT NULL CHECK (jsonb_typeof(fields) = 'object' AND octet_length(fields::text) <= 32768),
      saved_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, form_key)
    )`);
  await knex.raw('CREATE INDEX form_drafts_saved_at_idx ON form_drafts (saved_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE form_drafts');
}
