import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { MIGRATIONS_DIR, REFERENCE_SEEDS_DIR } from '../app-paths';
import { installJobQueues } from './job-queues';
import { createDb } from './knex';

interface MigrationModule {
  up: (knex: Knex) => Promise<void>;
  down: (knex: Knex) => Promise<void>;
  config?: { transaction?: boolean };
}

const MIGRATION_FILE = /^\d{14}_[a-z0-9-]+\.(ts|js)$/;
/** A module of code: its source under tsx, its compiled file in a build (source maps are not modules). */
const MODULE_FILE = /\.(ts|js)$/;

export function listMigrationFiles(): string[] {
  return fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => MIGRATION_FILE.test(f))
    .sort();
}

/**
 * Knex's own loader `require`s files, which does not work for TypeScript under tsx/vitest ESM;
 * this source imports the same files dynamically, so the CLI, the server and the tests share one path.
 */
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => listMigrationFiles(),
  // A migration is recorded under its source's name, so that a database migrated by `npm start` (tsx) and
  // by the built image (dist/, .js) agree on what has run.
  getMigrationName: (file) => file.replace(/\.js$/, '.ts'),
  getMigration: async (file) => {
    const mod = (await import(pathToFileURL(path.join(MIGRATIONS_DIR, file)).href)) as MigrationModule;
    return mod;
  },
};

export const migratorConfig: Knex.MigratorConfig = { migrationSource, tableName: 'knex_migrations' };

/** Migrations, seeds and the app role's login run on the owner's credentials, never on the app's. */
export function createOwnerDb(url: string): Knex {
  return createDb(url, { poolMax: 2, statementTimeoutMs: 0, applicationName: 'reestr-owner' });
}

export async function migrateLatest(url: string): Promise<void> {
  const db = createOwnerDb(url);
  try {
    await db.migrate.latest(migratorConfig);
    await runReferenceSeeds(db);
    await installJobQueues(db);
  } finally {
    await db.destroy();
  }
}

/** Reference data (dictionaries): idempotent, safe to run after every migration. */
export async function runReferenceSeeds(db: Knex): Promise<void> {
  if (!fs.existsSync(REFERENCE_SEEDS_DIR)) return;
  for (const file of fs
    .readdirSync(REFERENCE_SEEDS_DIR)
    .filter((f) => MODULE_FILE.test(f))
    .sort()) {
    const mod = (await import(pathToFileURL(path.join(REFERENCE_SEEDS_DIR, file)).href)) as {
      seed: (k: Knex) => Promise<void>;
    };
    await mod.seed(db);
  }
}
