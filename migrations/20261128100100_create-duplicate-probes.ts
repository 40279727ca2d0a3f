// The duplicate check answers "a card of another organization matches" (issue 11, item 3): without a
// bound, a chair could test 100,000 SNILS, phones or e-mails a day through imports and learn who is a
// member elsewhere. A counter per user and day of the matches outside the user's subtrees, in
// PostgreSQL so that every app process shares it (like the login throttle); a row per active user-day.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE duplicate_probes (
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      day date NOT NULL,
      matches integer NOT NULL CHECK (matches >= 0),
      PRIMARY KEY (user_id, day)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE duplicate_probes');
}
