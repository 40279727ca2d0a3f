// A build of the union's statistics runs in the background after the report that needed it has answered
// (and hourly for the current reporting dates); its failures were swallowed. The last failure of each
// background job is kept here — when, what — and whether a run succeeded after it, for the federal
// administrator's page: one row per job, written only when something fails (a healthy system writes nothing).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE background_failures (
      job text PRIMARY KEY,
      failed_at timestamptz NOT NULL,
      message text NOT NULL,
      recovered_at timestamptz
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE background_failures');
}
