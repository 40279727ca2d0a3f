// The layout connect-pg-simple expects; `expire` is indexed for its periodic prune.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE sessions (
      sid varchar NOT NULL PRIMARY KEY,
      sess json NOT NULL,
      expire timestamp(6) NOT NULL
    )`);
  await knex.raw('CREATE INDEX sessions_expire_idx ON sessions (expire)');
  // Blocking a user or changing their grants ends their sessions: find them without a scan.
  await knex.raw("CREATE INDEX sessions_user_idx ON sessions (((sess -> 'passport' ->> 'user')))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE sessions');
}
