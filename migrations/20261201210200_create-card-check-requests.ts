// The public card check (/card/{token}) is counted per address, like login_failures and reset_requests,
// so that the page cannot be used to sweep tokens or to load the registry: see src/cards/card-check-throttle.ts.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE card_check_requests (
      ip inet NOT NULL,
      requested_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX card_check_requests_ip_idx ON card_check_requests (ip, requested_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE card_check_requests');
}
