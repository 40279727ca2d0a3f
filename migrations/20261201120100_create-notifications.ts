// Notifications of the registry's own events (a report returned, a transfer request received, an export
// ready, …): one row per recipient, listed on the home page until read. `dedupe_key` keeps a reminder the
// hourly job raises again and again (a deadline in three days) to one row per user.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE notifications (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (length(kind) <= 40),
      title text NOT NULL CHECK (length(title) <= 300),
      body text CHECK (length(body) <= 2000),
      link text CHECK (length(link) <= 300),
      dedupe_key text CHECK (length(dedupe_key) <= 200),
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz
    )`);
  await knex.raw('CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC)');
  await knex.raw('CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL');
  // NULL keys never collide: only keyed reminders are kept to one per user
  await knex.raw('CREATE UNIQUE INDEX notifications_dedupe_idx ON notifications (user_id, dedupe_key)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE notifications');
}
