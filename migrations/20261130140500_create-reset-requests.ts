// «Забыли пароль?» sends mail to whoever a login names: requests are counted per login and per address
// (like login_failures) so the form cannot be used to flood a mailbox or to send mail in bulk.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE reset_requests (
      username text NOT NULL,
      ip inet NOT NULL,
      requested_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX reset_requests_username_idx ON reset_requests (username, requested_at)');
  await knex.raw('CREATE INDEX reset_requests_ip_idx ON reset_requests (ip, requested_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE reset_requests');
}
