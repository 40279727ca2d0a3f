import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStagingTables, memberStager } from '../../src/members/import/member-staging.repo';
import type { AdmissionTermsInput, CardInput } from '../../src/members/members.schemas';
import { createTestDatabase, type TestDatabase } from '../support/db';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.drop());

const card = (i: number, position: string | null = null) =>
  ({
    surname: `Ёлкина-${i}`,
    name: 'Юлия',
    patronymic: 'Щ\tЪ\\Ь',
    sex: 'f',
    birthDate: '1980-01-02',
    category: 'working',
    isPedagogical: i % 2 === 0,
    position,
    phone: null,
    email: null,
    snils: null,
  }) as CardInput;
const terms = { joinedOn: '2020-09-01' } as AdmissionTermsInput;

describe('staging the rows of an import', () => {
  it('when the rows fill several 64 KiB chunks and one row is longer than a chunk, then every row arrives whole, in Cyrillic and with its escapes', async () => {
    const LONG = 'Ж'.repeat(40_000); // 80,000 bytes of UTF-8
    const staged = await database.db.transaction(async (trx) => {
      await createStagingTables(trx);
      const stager = memberStager(trx);
      for (let i = 1; i <= 2_000; i++) await stager.add(i, 7, card(i, i === 1_000 ? LONG : null), terms);
      await stager.flush();
      return (
        await trx('member_import').orderBy('line').select('line', 'surname', 'patronymic', 'position', 'is_pedagogical')
      ).map((r) => ({ ...r, position: r.position?.length ?? null }));
    });
    expect(staged).toHaveLength(2_000);
    expect(
      staged.every((r, i) => r.line === i + 1 && r.surname === `Ёлкина-${i + 1}` && r.patronymic === 'Щ\tЪ\\Ь'),
    ).toBe(true);
    expect(staged.filter((r) => r.position !== null)).toEqual([
      { line: 1_000, surname: 'Ёлкина-1000', patronymic: 'Щ\tЪ\\Ь', position: 40_000, is_pedagogical: true },
    ]);
  });
});
