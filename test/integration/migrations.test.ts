import { afterAll, describe, expect, it } from 'vitest';
import { migratorConfig, listMigrationFiles } from '../../src/db/migrate';
import { createTestDatabase, type TestDatabase } from '../support/db';

let database: TestDatabase | undefined;
afterAll(async () => database?.drop());

describe('migrations', () => {
  it('when every migration is rolled back and applied again, then the schema comes back whole', async () => {
    database = await createTestDatabase();
    const db = database.ownerDb;
    const tables = async () =>
      (await db.raw("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex%' ORDER BY 1")).rows.map((r: { tablename: string }) => r.tablename);
    const before = await tables();
    expect(before).toEqual(expect.arrayContaining(['organizations', 'users', 'role_grants', 'sessions', 'audit_log', 'members', 'login_failures']));

    await db.migrate.rollback(migratorConfig, true);
    expect(await tables()).toEqual([]);
    const [, applied] = await db.migrate.latest(migratorConfig);
    expect(applied).toEqual(listMigrationFiles());
    expect(await tables()).toEqual(before);
  });

  it('when migration files are listed, then each is named YYYYMMDDHHMMSS_verb-thing.ts', () => {
    for (const file of listMigrationFiles()) expect(file).toMatch(/^\d{14}_[a-z]+(-[a-z0-9]+)+\.ts$/);
  });
});
