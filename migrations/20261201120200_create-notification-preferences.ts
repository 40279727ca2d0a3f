// Each user's choice per kind of notification: by e-mail (and in the list), only in the list, or none.
// A kind without a row takes its default (src/notifications/kinds.ts), so a new kind needs no rows.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE notification_preferences (
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (length(kind) <= 40),
      channel text NOT NULL CHECK (channel IN ('email','app','none')),
      PRIMARY KEY (user_id, kind)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE notification_preferences');
}
