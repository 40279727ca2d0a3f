// Failed logins, counted per (username, IP) and per IP: see src/auth/login-throttle.ts.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE login_failures (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      username text NOT NULL,
      ip inet NOT NULL,
      failed_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX login_failures_pair_idx ON login_failures (username, ip, failed_at)');
  await knex.raw('CREATE INDEX login_failures_ip_idx ON login_failures (ip, failed_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE login_failures');
}
