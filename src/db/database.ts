import pg from 'pg';
import type { Config } from '../config';
import { createOwnerDb } from './migrate';
import { appRoleUrl, enableAppRoleLogin, excessRights } from './app-role';
import { createDb } from './knex';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded';

export interface DatabaseHandle {
  /** The owner's credentials: migrations, seeds, the app role's login. Never handed to the app's pools. */
  ownerUrl: string;
  embedded: EmbeddedServer | undefined;
}

/**
 * The owner's connection: MIGRATION_DATABASE_URL when given, else DATABASE_URL, else the embedded
 * PostgreSQL with a `reestr` database in it.
 */
export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  const given = config.migrationDatabaseUrl ?? config.databaseUrl;
  if (given) return { ownerUrl: given, embedded: undefined };
  const embedded = await startEmbeddedPostgres(config.embeddedPg.dir, config.embeddedPg.port);
  await createDatabaseIfMissing(embedded.url('postgres'), 'reestr');
  return { ownerUrl: embedded.url('reestr'), embedded };
}

/**
 * The URL the app's pools log in with: DATABASE_URL as given when the owner has credentials of its own
 * (MIGRATION_DATABASE_URL), else the app role with a password the owner sets now. Either way the start
 * stops when that login could do more than the app needs.
 */
export async function appDatabaseUrl(config: Config, database: DatabaseHandle): Promise<string> {
  let url = config.migrationDatabaseUrl ? config.databaseUrl! : undefined;
  if (!url) {
    const owner = createOwnerDb(database.ownerUrl);
    try {
      url = await enableAppRoleLogin(owner, database.ownerUrl);
    } finally {
      await owner.destroy();
    }
  }
  await refuseExcessRights(url, 'DATABASE_URL');
  return url;
}

class ExcessRightsError extends Error {}

async function refuseExcessRights(url: string, variable: string): Promise<void> {
  const app = createDb(url, { poolMax: 1, connectTimeoutMs: 5_000 });
  try {
    const excess = await excessRights(app);
    if (excess.length)
      throw new ExcessRightsError(
        `${variable} входит под ролью с лишними правами (${excess.join(', ')}): приложению нужна своя ограниченная роль (см. README, «Configuration»)`,
      );
  } finally {
    await app.destroy();
  }
}

/**
 * The app's login on the standby of REPLICA_DATABASE_URL, written like DATABASE_URL: the owner's login
 * there (the app role and its derived password came with the cluster) unless MIGRATION_DATABASE_URL keeps
 * the owner apart, when it is the app role's own. Checked like the primary's when the standby answers;
 * one that does not answer at start-up (or refuses the login the primary has just enabled, not yet replayed)
 * is tried again by the reads (db/replica.ts): the app starts anyway.
 */
export async function replicaAppUrl(
  config: Config,
  onUnreachable: (err: unknown) => void,
): Promise<string | undefined> {
  const given = config.replicaDatabaseUrl;
  if (!given) return undefined;
  const url = config.migrationDatabaseUrl ? given : appRoleUrl(given);
  try {
    await refuseExcessRights(url, 'REPLICA_DATABASE_URL');
  } catch (err) {
    // only a login with too many rights stops the start; a standby that is down, or has not yet replayed
    // the app role's login the primary has just enabled, is tried again by the reads
    if (err instanceof ExcessRightsError) throw err;
    onUnreachable(err);
  }
  return url;
}

export async function createDatabaseIfMissing(adminUrl: string, name: string, template?: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined); // a lost connection fails the awaited query below; it must not end the process
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return false;
    const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
    await client.query(
      `CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ''} ENCODING 'UTF8'`,
    );
    return true;
  } finally {
    await client.end();
  }
}
