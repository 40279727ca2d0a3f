// A sliding-window rate limit any public form can use (src/shared/sliding-window.ts): one row per counted
// request, by the limit's name and the key it counts (an address, an e-mail). Online admission counts here.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE rate_limit_hits (
      bucket text NOT NULL,
      key text NOT NULL,
      hit_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX rate_limit_hits_key_idx ON rate_limit_hits (bucket, key, hit_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE rate_limit_hits');
}
