import { afterAll, describe, expect, it } from 'vitest';
import { migratorConfig, listMigrationFiles } from '../../src/db/migrate';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { schemaSnapshot, type SchemaKind } from '../support/schema-snapshot';

let database: TestDatabase | undefined;
afterAll(async () => database?.drop());

describe('migrations', () => {
  it('when every migration is rolled back and applied again, then the schema comes back whole, column by column', async () => {
    database = await createTestDatabase();
    const db = database.ownerDb;
    const before = await schemaSnapshot(db);
    expect(before.relations.join('\n')).toMatch(/^organizations r /m);
    expect(before.triggers.length).toBeGreaterThan(0);

    await db.migrate.rollback(migratorConfig, true);
    const empty = await schemaSnapshot(db);
    expect({ relations: empty.relations, functions: empty.functions, types: empty.types }).toEqual({
      relations: [],
      functions: [],
      types: [],
    });
    const [, applied] = await db.migrate.latest(migratorConfig);
    expect(applied).toEqual(listMigrationFiles());
    const after = await schemaSnapshot(db);
    for (const kind of Object.keys(before) as SchemaKind[]) expect(after[kind], kind).toEqual(before[kind]);
  });

  it('when migration files are listed, then each is named YYYYMMDDHHMMSS_verb-thing.ts', () => {
    for (const file of listMigrationFiles()) expect(file).toMatch(/^\d{14}_[a-z]+(-[a-z0-9]+)+\.ts$/);
  });
});
