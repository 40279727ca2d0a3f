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
  /** Closes its connections (the database is dropped at the end of the run). */
  drop: () => Promise<void>;
}

/**
 * A private copy of the migrated template: test files never see each other's rows. Its name carries the pid
 * of the run's main process (`runPid`): the run's global teardown drops its databases all at once.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const name = `${inject('dbPrefix')}${inject('runPid')}_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${inject('templateDb')}"`);
  // A throwaway database need not survive a crash of the server: a commit does not wait for its WAL to reach
  // the disk (the suite's tens of thousands of commits each waited for an fsync, on a disk other work shares).
  // What a commit makes visible to other sessions is unchanged.
  await adminQuery(adminUrl, `ALTER DATABASE "${name}" SET synchronous_commit TO off`);
  const url = withDatabase(adminUrl, name);
  const appUrl = appRoleUrl(url);
  const db = createDb(appUrl, { poolMax: 5 });
  const ownerDb = createOwnerDb(url);
  return {
    url,
    appUrl,
    db,
    ownerDb,
    // The database itself is dropped by the global teardown (test/support/global-setup.ts): a DROP DATABASE
    // waits for a checkpoint of the whole server, ~1 s a file when each file dropped its own.
    drop: async () => {
      await db.destroy();
      await ownerDb.destroy();
    },
  };
}
