// Configuration for the knex CLI (`node --import tsx node_modules/.bin/knex migrate:status`).
// The application itself migrates through src/db/migrate.ts with the same migration source.
import type { Knex } from 'knex';
import { migratorConfig } from './src/db/migrate';

const config: Knex.Config = {
  client: 'pg',
  connection: process.env.DATABASE_URL,
  migrations: migratorConfig,
};

export default config;
