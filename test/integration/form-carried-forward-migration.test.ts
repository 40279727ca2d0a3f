import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { down, up } from '../../migrations/20261130120100_carry-forward-in-primary-forms';
import { compileDefinition } from '../../src/reports/forms/compile';
import { createTestDatabase, type TestDatabase } from '../support/db';

// Which line of the previously filed report a primary form starts its movement from used to be known to
// the code (line 09 of 5-/4-/3-СП); the definitions say it now. A database whose stored versions predate
// that gets the statement in every version of those forms that has a line 09 — the behaviour they had.

let database: TestDatabase;
let db: Knex;
const carried = async () =>
  Object.fromEntries(
    (await db('form_versions').orderBy('id').select('code', 'version', 'definition')).map((v) => [
      `${v.code} v${v.version}`,
      v.definition.carriedForward ?? null,
    ]),
  );

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.ownerDb;
  // as before: no statement anywhere, and an uploaded 5-СП version whose lines stop before 09
  await db.raw("UPDATE form_versions SET definition = definition - 'carriedForward'");
  const fiveSp = (await db('form_versions').where({ code: '5-SP', status: 'active' }).first()).definition;
  const short = {
    ...fiveSp,
    version: 9,
    sections: [{ ...fiveSp.sections[0], lines: fiveSp.sections[0].lines.slice(0, 2) }],
    controls: [],
  };
  await db('form_versions').insert({
    code: '5-SP',
    version: 9,
    title: 'Без строки 09',
    definition: JSON.stringify(short),
    status: 'draft',
  });
});
afterAll(async () => database.drop());

describe('migration carry-forward-in-primary-forms', () => {
  it('states line 09 carried forward in each primary form with a line 09, and nowhere else; every version still compiles', async () => {
    await up(db);
    const statement = { line: '09', indicator: 'members_at_start', columns: ['total', 'women'] };
    const after = await carried();
    for (const [version, value] of Object.entries(after)) {
      const expected = /^[543]-SP v1$/.test(version) ? statement : null;
      expect({ version, value }).toEqual({ version, value: expected });
    }
    expect(Object.keys(after)).toContain('5-SP v9');
    for (const v of await db('form_versions').select('code', 'definition'))
      expect({ code: v.code, ok: compileDefinition(v.definition).ok }).toEqual({ code: v.code, ok: true });
  });

  it('takes the statement away again when rolled back', async () => {
    await down(db);
    expect(Object.values(await carried()).every((v) => v === null)).toBe(true);
  });
});
