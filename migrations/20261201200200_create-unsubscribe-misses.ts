// The public unsubscribe pages are throttled like the login: by what fails. Every unknown or expired
// token asked for is counted per address (like login_failures), and an address with too many in the
// window is refused. Valid links are never counted: after a mass mailing, one mail provider's servers
// send the one-click requests of thousands of its users from a handful of addresses.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE unsubscribe_misses (
      ip inet NOT NULL,
      missed_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX unsubscribe_misses_ip_idx ON unsubscribe_misses (ip, missed_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE unsubscribe_misses');
}
