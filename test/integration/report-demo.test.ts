import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoDataset } from '../../seeds/demo/demo-dataset';
import { computeIndicators } from '../../src/reports/indicators/engine';
import { createTestDatabase, type TestDatabase } from '../support/db';

// The movement identity on the demo dataset, for every organization at every quarter of its history:
// members at the date = members at the previous reporting date + admitted + arrived − left.

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await loadDemoDataset(database.ownerDb, 4);
});
afterAll(async () => database.drop());

const QUARTERS = [
  '2022-01-01',
  '2022-04-01',
  '2022-07-01',
  '2022-10-01',
  '2023-01-01',
  '2023-04-01',
  '2023-07-01',
  '2023-10-01',
  '2024-01-01',
  '2024-04-01',
  '2024-07-01',
  '2024-10-01',
  '2025-01-01',
  '2025-04-01',
  '2025-07-01',
  '2025-10-01',
  '2026-01-01',
  '2026-04-01',
  '2026-07-01',
  '2026-10-01',
];

describe('the demo dataset', () => {
  it('keeps the movement identity for every organization in every quarter', async () => {
    const orgs: { id: number }[] = await database.db('organizations').select('id');
    const rootIds = orgs.map((o) => o.id);
    let moves = 0;
    for (let i = 1; i < QUARTERS.length; i++) {
      const values = await computeIndicators(database.db, {
        rootIds,
        date: QUARTERS[i]!,
        periodStart: QUARTERS[i - 1]!,
        names: [
          'members',
          'members_at_start',
          'admitted',
          'transferred_in',
          'left_total',
          'left_voluntary',
          'left_expelled',
          'left_dismissed',
          'left_other',
        ],
      });
      for (const [id, v] of values) {
        const identity = {
          org: id,
          date: QUARTERS[i],
          members: v.members!.total,
          expected: v.members_at_start!.total! + v.admitted!.total! + v.transferred_in!.total! - v.left_total!.total!,
        };
        expect(identity).toEqual({ ...identity, members: identity.expected });
        expect(v.left_total!.total).toBe(
          v.left_voluntary!.total! + v.left_expelled!.total! + v.left_dismissed!.total! + v.left_other!.total!,
        );
        expect(v.members!.women).toBe(
          v.members_at_start!.women! + v.admitted!.women! + v.transferred_in!.women! - v.left_total!.women!,
        );
        moves += v.admitted!.total! + v.left_total!.total!;
      }
    }
    // the demo history really moves: the identity is not checked on a still life
    expect(moves).toBeGreaterThan(100);
  });

  it('has officers who are people: the chair Волкова Елена Сергеевна is a woman on her card, and every officer is a card or a person', async () => {
    const db = database.db;
    const chair = await db('org_officers as f')
      .join('organizations as o', 'o.id', 'f.organization_id')
      .join('members as m', 'm.id', 'f.member_id')
      .where({ 'f.post': 'chair', 'm.surname': 'Волкова', 'm.name': 'Елена', 'm.patronymic': 'Сергеевна' })
      .whereNull('f.ended_on')
      .first('o.id', 'o.name', 'm.sex', 'm.birth_date', 'f.organization_id', 'm.organization_id as cardOrg');
    expect(chair).toMatchObject({
      name: 'Первичная профсоюзная организация МБОУ «Гимназия № 7» г. Казани',
      sex: 'f',
      cardOrg: chair.organization_id,
    });
    expect(await db('org_officers').whereNull('member_id').whereNull('person_id').count('* as n').first()).toEqual({
      n: 0,
    });
    // line 22 of her 5-СП, and women among the chairs of the union, counted independently from the cards and persons
    const date = '2026-10-01';
    const [own] = (
      await computeIndicators(db, { rootIds: [chair.id], date, periodStart: '2026-07-01', names: ['officers_chair'] })
    ).values();
    expect(own!.officers_chair).toEqual({ total: 1, women: 1, youth: 0 });
    const { rows } = await db.raw(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE coalesce(m.sex, p.sex) = 'f')::int AS women
       FROM org_officers f JOIN organizations o ON o.id = f.organization_id LEFT JOIN members m ON m.id = f.member_id LEFT JOIN persons p ON p.id = f.person_id
      WHERE f.post = 'chair' AND o.level = 'primary' AND f.elected_on <= ? AND (f.ended_on IS NULL OR f.ended_on > ?)`,
      [date, date],
    );
    const union = (await db('organizations').whereNull('parent_id').first('id')).id;
    const [all] = (
      await computeIndicators(db, {
        rootIds: [union],
        date,
        periodStart: '2026-07-01',
        names: ['officers_chair'],
        maintained: false,
      })
    ).values();
    expect({ total: all!.officers_chair!.total, women: all!.officers_chair!.women }).toEqual(rows[0]);
    expect(rows[0].women).toBeGreaterThan(rows[0].total / 2);
  });
});
