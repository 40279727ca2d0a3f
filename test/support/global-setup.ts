// Builds the template database once from the real migrations and reference seeds; every test file
// then gets its own `CREATE DATABASE … TEMPLATE` copy (test/support/db.ts). The template is rebuilt
// only when a migration or a reference seed changes (its name carries their hash).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded';
import { createDatabaseIfMissing } from '../../src/db/database';
import { MIGRATIONS_DIR, REFERENCE_SEEDS_DIR, ROOT_DIR, migrateLatest } from '../../src/db/migrate';
import { adminQuery, withDatabase } from './urls';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
  }
}

let embedded: EmbeddedServer | undefined;

export default async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres(path.join(ROOT_DIR, '.data/test-postgres'), 54339, { fast: true });
    adminUrl = embedded.url('postgres');
  }
  const templateDb = `reestr_tmpl_${schemaHash()}`;
  await dropLeftovers(adminUrl, templateDb);
  try {
    if (!(await databaseExists(adminUrl, templateDb))) {
      // Built under another name and renamed when complete: an interrupted build is never used.
      const building = `${templateDb}_building`;
      await createDatabaseIfMissing(adminUrl, building);
      await migrateLatest(withDatabase(adminUrl, building));
      await adminQuery(adminUrl, `ALTER DATABASE "${building}" RENAME TO "${templateDb}"`);
    }
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', templateDb);
  return async () => {
    await embedded?.stop();
  };
}

function schemaHash(): string {
  const hash = crypto.createHash('sha256');
  for (const dir of [MIGRATIONS_DIR, REFERENCE_SEEDS_DIR]) {
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).sort()) hash.update(file).update(fs.readFileSync(path.join(dir, file)));
  }
  return hash.digest('hex').slice(0, 12);
}

/** Old templates and databases of earlier, interrupted runs. */
async function dropLeftovers(adminUrl: string, keepTemplate: string) {
  const { rows } = await adminQuery(
    adminUrl,
    `SELECT datname FROM pg_database WHERE (datname LIKE 'reestr\\_tmpl\\_%' OR datname LIKE 'reestr\\_t\\_%') AND datname <> $1`,
    [keepTemplate],
  );
  for (const { datname } of rows) await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
}

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return ((await adminQuery(adminUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
}
