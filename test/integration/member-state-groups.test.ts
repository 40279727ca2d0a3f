import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_STATE_GROUP_COLUMNS } from '../../src/db/shared-constants';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createOrg, unionRoot } from '../support/factories';

// Issue 15, item 1: the member state of a new date groups 3.59 M periods into ~583,000 rows; the planner,
// multiplying the distinct counts of the grouping columns as if they were independent, expected 3.2 M and
// sized and ordered the build's work for them (migration count-member-state-groups).

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.drop());

describe('the member state groups', () => {
  it('the planner expects as many groups of the periods as there are', async () => {
    const db = database.ownerDb;
    const region = await createOrg(db, await unionRoot(db), 'regional', { regionCode: 16 });
    const ppo: number[] = [];
    for (let i = 0; i < 4; i++) ppo.push((await createOrg(db, region, 'primary')).id);
    // 800 cards in 4 ППО, in every combination of category, sex, pedagogical post and parental leave: 64 groups,
    // where the distinct counts of the columns multiply to 256 (a ППО's periods all carry it as their ППО)
    await db.transaction(async (trx) => {
      await trx.raw(
        `WITH cards AS (
           INSERT INTO members (organization_id, surname, name, sex, birth_date, category, is_pedagogical, on_parental_leave, joined_on)
           SELECT (?::int[])[1 + i % 4], 'Тестова' || i, 'Тест', CASE WHEN i / 4 % 2 = 0 THEN 'm' ELSE 'f' END, DATE '1980-01-01' + i,
                  CASE WHEN i / 8 % 2 = 0 THEN 'working' ELSE 'student' END, i / 16 % 2 = 0, i / 32 % 2 = 0, DATE '2020-01-01'
             FROM generate_series(0, 799) i
           RETURNING id, organization_id, category, is_pedagogical, on_parental_leave)
         INSERT INTO member_periods (member_id, organization_id, category, is_pedagogical, on_parental_leave, valid_from)
         SELECT id, organization_id, category, is_pedagogical, on_parental_leave, DATE '2020-01-01' FROM cards`,
        [ppo],
      );
    });
    await db.raw('ANALYZE member_periods');
    const columns = MEMBER_STATE_GROUP_COLUMNS.join(', ');
    const { rows } = await db.raw(`EXPLAIN (FORMAT JSON) SELECT 1 FROM member_periods GROUP BY ${columns}`);
    const counted = await db.raw(`SELECT count(*)::int AS n FROM (SELECT 1 FROM member_periods GROUP BY ${columns}) g`);
    expect(counted.rows[0].n).toBe(64);
    expect(rows[0]['QUERY PLAN'][0].Plan['Plan Rows']).toBe(64);
  });
});
