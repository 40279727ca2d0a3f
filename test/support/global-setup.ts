// Builds the template database once from the real migrations and reference seeds; every test file
// then gets its own `CREATE DATABASE … TEMPLATE` copy (test/support/db.ts). The template is rebuilt
// only when a migration or a reference seed changes (its name carries their hash).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { isProcessAlive, startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded';
import { createDatabaseIfMissing } from '../../src/db/database';
import { enableAppRoleLogin } from '../../src/db/app-role';
import { APP_ROOT, MIGRATIONS_DIR, REFERENCE_DATA_DIR } from '../../src/app-paths';
import { createOwnerDb, migrateLatest } from '../../src/db/migrate';
import { adminQuery, withDatabase } from './urls';
import { dropDatabases } from './drop-databases';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
    /** the prefix of this checkout's test databases */
    dbPrefix: string;
    /** the pid of the run's main process, the second part of its test databases' names */
    runPid: number;
  }
}

/**
 * Databases are named after the checkout (a hash of its folder), so that test runs of two checkouts on
 * one server — a developer's clones, parallel reviews — never drop each other's template or databases.
 */
const DB_PREFIX = `rt_${crypto.createHash('sha256').update(APP_ROOT).digest('hex').slice(0, 8)}_`;

interface SharedDatabase {
  ready: Promise<{ adminUrl: string; templateDb: string }>;
  /** the projects (integration, browser) whose run holds it */
  users: number;
  /** the run started its own server (no DATABASE_URL), stopped when the run ends */
  embedded: boolean;
  stop: () => Promise<void>;
}

/**
 * The integration and browser projects each run this setup; they share one server and template
 * through the main process's global, so a second setup never restarts (and cuts off) the embedded
 * server the first one started. The last project to finish stops it.
 */
const holder = globalThis as { reestrTestDatabase?: SharedDatabase };

export default async function setup(project: TestProject) {
  const shared = (holder.reestrTestDatabase ??= prepareDatabase());
  shared.users += 1;
  const { adminUrl, templateDb } = await shared.ready;
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', templateDb);
  project.provide('dbPrefix', DB_PREFIX);
  project.provide('runPid', process.pid);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    delete holder.reestrTestDatabase;
    try {
      await dropRunDatabases(adminUrl, shared.embedded);
    } finally {
      await shared.stop();
    }
  };
}

function prepareDatabase(): SharedDatabase {
  let embedded: EmbeddedServer | undefined;
  const ready = (async () => {
    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      embedded = await startEmbeddedPostgres(path.join(APP_ROOT, '.data/test-postgres'), 54339, { fast: true });
      adminUrl = embedded.url('postgres');
    }
    const templateDb = `${DB_PREFIX}tmpl_${schemaHash()}`;
    await dropLeftovers(adminUrl, templateDb, embedded !== undefined);
    try {
      if (!(await databaseExists(adminUrl, templateDb))) {
        // Built under another name and renamed when complete: an interrupted build is never used.
        const building = `${templateDb}_building`;
        await createDatabaseIfMissing(adminUrl, building);
        await migrateLatest(withDatabase(adminUrl, building));
        await adminQuery(adminUrl, `ALTER DATABASE "${building}" RENAME TO "${templateDb}"`);
      }
      // The test apps log in as the app role, as the server does (the role and its password are the cluster's).
      const owner = createOwnerDb(adminUrl);
      await enableAppRoleLogin(owner, adminUrl).finally(() => owner.destroy());
    } catch (err) {
      await embedded?.stop();
      throw err;
    }
    return { adminUrl, templateDb };
  })();
  return { ready, users: 0, embedded: !process.env.DATABASE_URL, stop: async () => embedded?.stop() };
}

function schemaHash(): string {
  const hash = crypto.createHash('sha256');
  for (const dir of [MIGRATIONS_DIR, REFERENCE_DATA_DIR]) {
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).sort()) hash.update(file).update(fs.readFileSync(path.join(dir, file)));
  }
  // the job queues the owner installs after the migrations (a new queue is no migration)
  hash.update(fs.readFileSync(path.join(APP_ROOT, 'src/db/job-queues.ts')));
  return hash.digest('hex').slice(0, 12);
}

/**
 * This checkout's old templates, and the databases of its earlier runs whose process is gone (a test database
 * is named with its run's main pid: another run going on at the same time keeps its own).
 */
async function dropLeftovers(adminUrl: string, keepTemplate: string, embedded: boolean) {
  const { rows } = await adminQuery(
    adminUrl,
    'SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2',
    [DB_PREFIX, keepTemplate],
  );
  const runPid = (name: string) => Number(/^\d+(?=_)/.exec(name.slice(DB_PREFIX.length))?.[0] ?? NaN);
  const stale = rows.map((r: { datname: string }) => r.datname).filter((name: string) => !isProcessAlive(runPid(name)));
  await dropAside(adminUrl, stale, embedded);
}

/** The databases this run's test files made (test/support/db.ts), once every file is done. */
async function dropRunDatabases(adminUrl: string, embedded: boolean) {
  const { rows } = await adminQuery(adminUrl, 'SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [
    `${DB_PREFIX}${process.pid}_`,
  ]);
  await dropAside(
    adminUrl,
    rows.map((r: { datname: string }) => r.datname),
    embedded,
  );
}

/**
 * Drops the databases without keeping the run waiting: on a server of its own (DATABASE_URL) a detached process
 * drops them after the run has ended (minutes of checkpoints: drop-databases.ts); the embedded server is
 * stopped when the run ends, so its databases are dropped before.
 */
async function dropAside(adminUrl: string, names: string[], embedded: boolean) {
  if (names.length === 0) return;
  if (embedded) return dropDatabases(adminUrl, names);
  const script = path.join(APP_ROOT, 'test', 'support', 'drop-databases.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, adminUrl, ...names], {
    cwd: APP_ROOT,
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
}

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return ((await adminQuery(adminUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
}
