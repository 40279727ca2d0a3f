import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createMembers, createRegionTree } from '../support/factories';

// The database itself refuses overlapping membership periods of one person (the exclusion constraint
// over one box per period): the rule is checked here on its edges, not only on the obvious case.

let database: TestDatabase;
let db: Knex;
let orgId: number;
let first: number;
let second: number;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.ownerDb;
  const tree = await createRegionTree(db);
  orgId = tree.primary.id;
  // both members: one closed period [2020-01-01, 2021-01-01)
  [first, second] = (await createMembers(db, tree.primary, 2, { joined_on: '2020-01-01', left_on: '2021-01-01' })) as [
    number,
    number,
  ];
});
afterAll(async () => database.drop());

const addPeriod = (memberId: number, from: string, to: string | null) =>
  db.transaction((trx) =>
    trx('member_periods').insert({
      member_id: memberId,
      organization_id: orgId,
      category: 'working',
      valid_from: from,
      valid_to: to,
    }),
  );
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (err: { code?: string; constraint?: string }) => `${err.code} ${err.constraint}`,
  );

describe('overlapping membership periods', () => {
  it('are refused for the same person, by a period inside, across either end, or open-ended', async () => {
    const overlap = '23P01 member_periods_no_overlap';
    expect(await refusal(addPeriod(first, '2020-06-01', '2020-07-01'))).toBe(overlap);
    expect(await refusal(addPeriod(first, '2019-06-01', '2020-01-02'))).toBe(overlap);
    expect(await refusal(addPeriod(first, '2020-12-31', '2021-03-01'))).toBe(overlap);
    expect(await refusal(addPeriod(first, '2019-01-01', null))).toBe(overlap);
  });

  it('are accepted when they only touch (the end day is not part of a period), and for another person', async () => {
    expect(await refusal(addPeriod(first, '2021-01-01', '2022-01-01'))).toBe('accepted');
    expect(await refusal(addPeriod(first, '2019-01-01', '2020-01-01'))).toBe('accepted');
    expect(await refusal(addPeriod(second, '2021-06-01', '2022-01-01'))).toBe('accepted'); // the same days as the first person's
    // two open periods of one person can never coexist (the first reopens the card: card and open period must agree)
    const reopen = db.transaction(async (trx) => {
      await trx('member_periods').insert({
        member_id: first,
        organization_id: orgId,
        category: 'working',
        valid_from: '2023-01-01',
      });
      await trx('members').where({ id: first }).update({ left_on: null, left_reason: null });
    });
    expect(await refusal(reopen)).toBe('accepted');
    expect(await refusal(addPeriod(first, '2030-01-01', null))).toBe('23P01 member_periods_no_overlap');
  });
});
