import { beforeAll, describe, expect, it } from 'vitest';
import { migratorConfig } from '../../src/db/migrate';
import type { OrgRow } from '../../src/registry/orgs.repo';
import { loggedInAgent, type Agent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createOrg, createUser, unionRoot } from '../support/factories';
import { insertPeople, type PersonSpec } from '../support/report-fixture';

// A member registered on a subdivision or group is on the record of its ППО (forms.md: each ППО counts its
// own members, a consolidation sums its ППО). When a merge passes the merged ППО's units to the receiving
// one, or a move passes a subdivision to another ППО, the members on those units leave one ППО's record and
// come onto the other's that day: a transfer out of the first and into the second, in their primary forms
// and so in every consolidation above them — like the members on the merged ППО's own record.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;

type Key = 'R' | 'T' | 'M' | 'MS' | 'MG' | 'I' | 'J' | 'OLD' | 'OLDS' | 'NEW';
const BEFORE = '2026-03-09';
const MERGE = '2026-03-10';
const D = '2026-04-01'; // period since 01.01
const MOVE = '2026-05-12';
const D2 = '2026-07-01'; // period since 01.04

const person = (surname: string, sex: 'm' | 'f', birth: string, org: Key): PersonSpec<Key> => ({
  surname,
  sex,
  birth,
  periods: [{ org, category: 'working', from: '2020-01-01' }],
});
const PEOPLE = [
  person('Аксёнова', 'f', '1995-01-01', 'M'), // on the merged ППО's own record
  person('Баранов', 'm', '1970-01-01', 'MS'), // on its subdivision
  person('Веселова', 'f', '1999-01-01', 'MS'),
  person('Гаврилов', 'm', '1980-01-01', 'MG'), // on a group of the subdivision
  person('Демидова', 'f', '1985-01-01', 'I'), // on the receiving ППО's own record
  person('Ефимов', 'm', '1975-01-01', 'J'),
  person('Жилина', 'f', '1990-01-01', 'OLD'),
  person('Зотов', 'm', '1991-01-01', 'OLDS'),
  person('Игнатьева', 'f', '1992-01-01', 'OLDS'),
];

let admin: { agent: Agent; csrf: string };
let orgs: Record<Key, OrgRow>;
const post = (path: string, body: Record<string, string>) =>
  admin.agent
    .post(path)
    .type('form')
    .send({ _csrf: admin.csrf, ...body });

type Lines = Record<string, Record<string, number | null>>;
async function lines(form: string, k: Key, date: string): Promise<Lines> {
  const res = await admin.agent.get(`/reports/${form}/${orgs[k].inpo}/${date}.json?source=live`).expect(200);
  return Object.fromEntries(
    (res.body as { lines: { no: string; values?: Record<string, number | null> }[] }).lines.map((l) => [
      l.no,
      l.values ?? {},
    ]),
  );
}
/** Members total, arrived by transfer, left total, left by transfer: lines 09, 12, 13, 16 (totals). */
async function movement(form: string, k: Key, date: string) {
  const l = await lines(form, k, date);
  return ['09', '12', '13', '16'].map((no) => l[no]!.total);
}

beforeAll(async () => {
  const union = await unionRoot(db());
  admin = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: union }]));
  const R = await createOrg(db(), union, 'regional', {
    regionCode: 62,
    name: 'Регион (присоединение с подразделениями)',
  });
  const T = await createOrg(db(), R, 'territorial', { name: 'Территория' });
  const M = await createOrg(db(), T, 'primary', { name: 'ППО, которая присоединяется' });
  const MS = await createOrg(db(), M, 'subdivision', { name: 'Подразделение' });
  const MG = await createOrg(db(), MS, 'group');
  const I = await createOrg(db(), T, 'primary', { name: 'ППО, которая принимает' });
  const J = await createOrg(db(), T, 'primary', { name: 'Соседняя ППО' });
  const OLD = await createOrg(db(), T, 'primary', { name: 'ППО, присоединённая до исправления' });
  const OLDS = await createOrg(db(), OLD, 'subdivision', { name: 'Её подразделение' });
  const NEW = await createOrg(db(), T, 'primary', { name: 'ППО, принявшая её' });
  orgs = { R, T, M, MS, MG, I, J, OLD, OLDS, NEW };
  await insertPeople(db(), orgs, PEOPLE);
});

describe('a merge that passes subdivisions and groups with members to another ППО', () => {
  it('counts every member of the merged ППО, on its units too, as a transfer out of it and into the receiving ППО', async () => {
    expect((await post(`/orgs/${orgs.M.inpo}/merge`, { target: orgs.I.inpo, on: MERGE, confirm: 'yes' })).status).toBe(
      303,
    );

    // the day before the merge nothing has moved yet
    expect(await movement('5-SP', 'M', BEFORE)).toEqual([4, 0, 0, 0]);
    expect(await movement('5-SP', 'I', BEFORE)).toEqual([1, 0, 0, 0]);
    // on the merge day and after it the four leave M and arrive in I
    for (const date of [MERGE, D]) {
      expect(await movement('5-SP', 'M', date), `M on ${date}`).toEqual([0, 0, 4, 4]);
      expect(await movement('5-SP', 'I', date), `I on ${date}`).toEqual([5, 4, 0, 0]);
      // the territory and the region add up their ППО's forms
      expect(await movement('2-SP', 'T', date), `T on ${date}`).toEqual([9, 4, 4, 4]);
      expect(await movement('1-SP', 'R', date), `R on ${date}`).toEqual([9, 4, 4, 4]);
    }
    // women and youth of the moves: Аксёнова and Веселова (under 35 on the merge day)
    const m = await lines('5-SP', 'M', D);
    expect(m['16']).toEqual({ total: 4, women: 2, youth: 2 });
    expect((await lines('5-SP', 'I', D))['12']).toEqual({ total: 4, women: 2, youth: 2 });
  });

  it('keeps the movement identity of the receiving ППО: its start figure has none of the members it received', async () => {
    const start = (await lines('5-SP', 'I', '2026-01-01'))['09']!.total!;
    const [now, arrived, left] = await movement('5-SP', 'I', D);
    expect(start).toBe(1);
    expect(now).toBe(start + arrived! - left!);
  });

  it("names the merged ППО on its territory's comparison: it files nothing, yet its movement counts live", async () => {
    const page = await admin.agent.get(`/reports/2-SP/${orgs.T.inpo}/${D}/compare`).expect(200);
    const row = page.text.split('<tr>').find((r) => r.includes('<td>16.'))!;
    expect(row).toBeDefined();
    // the four who left M by the merge: nothing filed explains them, the departed ППО does
    expect(row).toMatch(
      new RegExp(`${orgs.M.name}</a>: по реестру 4, присоединена к другой организации 10\\.03\\.2026, отчёт не сдаёт`),
    );
    expect(page.text).not.toContain(`${orgs.M.name}</a>: по реестру 4, отчёт не начат`);
  });

  it('a subdivision moved to another ППО takes its members along as a transfer between the two ППО', async () => {
    expect((await post(`/orgs/${orgs.MS.inpo}/move`, { target: orgs.J.inpo, on: MOVE, confirm: 'yes' })).status).toBe(
      303,
    );
    expect(await movement('5-SP', 'I', D2)).toEqual([2, 0, 3, 3]);
    expect(await movement('5-SP', 'J', D2)).toEqual([4, 3, 0, 0]);
    expect(await movement('2-SP', 'T', D2)).toEqual([9, 3, 3, 3]);
    // the reports of the earlier period stay as they were
    expect(await movement('5-SP', 'I', D)).toEqual([5, 4, 0, 0]);
    expect(await movement('5-SP', 'J', D)).toEqual([1, 0, 0, 0]);
  });
});

describe('a database that had such merges before the periods carried their ППО', () => {
  const MIGRATION = '20261130100000_add-ppo-to-member-periods.ts';
  const OLD_MERGE = '2026-08-20';
  const D3 = '2026-10-01'; // period since 01.07

  it('is corrected by the migration: the periods running across the merge are cut there', async () => {
    await db().migrate.down({ ...migratorConfig, name: MIGRATION });
    expect(
      (await post(`/orgs/${orgs.OLD.inpo}/merge`, { target: orgs.NEW.inpo, on: OLD_MERGE, confirm: 'yes' })).status,
    ).toBe(303);
    const periodsOfUnit = () =>
      db()('member_periods').where({ organization_id: orgs.OLDS.id }).orderBy(['member_id', 'valid_from']);
    expect(await periodsOfUnit()).toHaveLength(2); // as the registry left them: one period each, across the merge
    await db().migrate.up({ ...migratorConfig, name: MIGRATION });

    const periods = await periodsOfUnit();
    expect(periods.map((p) => [p.valid_from, p.valid_to, p.ppo_id])).toEqual([
      ['2020-01-01', OLD_MERGE, orgs.OLD.id],
      [OLD_MERGE, null, orgs.NEW.id],
      ['2020-01-01', OLD_MERGE, orgs.OLD.id],
      [OLD_MERGE, null, orgs.NEW.id],
    ]);
    expect(await movement('5-SP', 'OLD', D3)).toEqual([0, 0, 3, 3]);
    expect(await movement('5-SP', 'NEW', D3)).toEqual([3, 3, 0, 0]);
    expect(await movement('2-SP', 'T', D3)).toEqual([9, 3, 3, 3]);
    // the merge and the move made before are read as they were
    expect(await movement('5-SP', 'M', D)).toEqual([0, 0, 4, 4]);
    expect(await movement('5-SP', 'I', D2)).toEqual([2, 0, 3, 3]);
    expect(await movement('5-SP', 'J', D2)).toEqual([4, 3, 0, 0]);
  });
});

describe("a period written later across a change of its unit's ППО", () => {
  it('is cut there like the periods the change found: a back-dated admission onto a unit passed by a merge', async () => {
    const ids = await insertPeople(db(), orgs, [
      {
        surname: 'Кириллова',
        sex: 'f',
        birth: '1994-01-01',
        periods: [{ org: 'OLDS', category: 'working', from: '2026-06-01' }],
      },
    ]);
    const periods = await db()('member_periods').where({ member_id: ids['Кириллова'] }).orderBy('valid_from');
    expect(periods.map((p) => [p.organization_id, p.valid_from, p.valid_to, p.ppo_id])).toEqual([
      [orgs.OLDS.id, '2026-06-01', '2026-08-20', orgs.OLD.id],
      [orgs.OLDS.id, '2026-08-20', null, orgs.NEW.id],
    ]);
    expect(await movement('5-SP', 'OLD', '2026-10-01')).toEqual([0, 0, 4, 4]);
    expect(await movement('5-SP', 'NEW', '2026-10-01')).toEqual([4, 4, 0, 0]);
  });
});
