import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { inject } from 'vitest';
import { appRoleUrl } from '../../src/db/app-role';
import { createDb } from '../../src/db/knex';
import { createOwnerDb } from '../../src/db/migrate';
import { adminQuery, withDatabase } from './urls';

export interface TestDatabase {
  /** The owner's (superuser's) URL. */
  url: string;
  /** The app role's login to the same database, as the server uses it. */
  appUrl: string;
  /** Connected as the application role, like the app. */
  db: Knex;
  /** Connected as the owner, for fixtures that the app role may not write (and for inspecting). */
  ownerDb: Knex;
  drop: () => Promise<void>;
}

/** A private copy of the migrated template: test files never see each other's rows. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const name = `${inject('dbPrefix')}${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${inject('templateDb')}"`);
  const url = withDatabase(adminUrl, name);
  const appUrl = appRoleUrl(url);
  const db = createDb(appUrl, { poolMax: 5 });
  const ownerDb = createOwnerDb(url);
  return {
    url,
    appUrl,
    db,
    ownerDb,
    drop: async () => {
      await db.destroy();
      await ownerDb.destroy();
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
