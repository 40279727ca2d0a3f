import { beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../support/agents';
import { loggedInAgent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createOrg, createUser, unionRoot } from '../support/factories';
import { pdfText } from '../support/pdf';
import { insertPeople, type PersonSpec } from '../support/report-fixture';
import { binaryParser, readSheet } from '../support/xlsx';
import { findOrgById, type OrgRow } from '../../src/registry/orgs.repo';

// Item 7 of issue 12: a headcount nobody entered is "нет данных", not 0 — in the ППО's own forms, in the
// КДК-1 that copies it, and in a consolidation from filed reports. It prints «—», the organizations that
// lack it are listed under «Пробелы в данных», and the controls that need it are "not checked".

const D = '2026-04-01';
type Key = 'X' | 'Y' | 'Z';
type Line = { no: string; values?: Record<string, number | null>; text?: string };
interface Json {
  lines: Line[];
  controls: { id: string }[];
  unchecked: { id: string }[];
  gaps: { message: string; orgs: { inpo: string }[] }[];
  source: string;
}

const ctx = useTestApp();
let admin: { agent: Agent; csrf: string };
let orgs: Record<Key | 'T' | 'T1', OrgRow>;
// Y has its headcount; X and Z never entered one
const HEADCOUNT_Y = { employees: 20, ped: 10, students: 0 };
const working = (surname: string, org: Key, ped = false): PersonSpec<Key> => ({
  surname,
  sex: 'f',
  birth: '1980-01-01',
  periods: [{ org, category: 'working', ped, from: '2020-01-01' }],
});
const PEOPLE = [
  working('Аксёнова', 'X'),
  working('Бурова', 'X', true),
  working('Власова', 'X'),
  working('Гусева', 'Y', true),
  working('Дроздова', 'Y'),
  working('Ежова', 'Z'),
];

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  const union = await unionRoot(db);
  const R = await createOrg(db, union, 'regional', { regionCode: 33, name: 'Региональная (пробелы)' });
  // T: X (no headcount) and Y (headcount); T1: only Z (no headcount)
  const T = await createOrg(db, R, 'territorial', { name: 'Территориальная (пробелы)' });
  const T1 = await createOrg(db, R, 'territorial', { name: 'Территориальная без численности' });
  const X = await createOrg(db, T, 'primary', { name: 'ППО без численности' });
  const Y = await createOrg(db, T, 'primary', { name: 'ППО с численностью' });
  const Z = await createOrg(db, T1, 'primary', { name: 'ППО Z без численности' });
  orgs = { T, T1, X, Y, Z };
  await insertPeople(db, { X, Y, Z }, PEOPLE);
  await db('org_headcounts').insert({
    organization_id: Y.id,
    as_of: '2025-09-01',
    employees_total: HEADCOUNT_Y.employees,
    employees_pedagogical: HEADCOUNT_Y.ped,
    students_total: HEADCOUNT_Y.students,
  });
  for (const org of [X, Y]) {
    await db('collective_agreements').insert({
      organization_id: org.id,
      status: 'active',
      signed_on: '2025-01-10',
      valid_from: '2025-01-10',
      valid_to: '2027-12-31',
    });
  }
  admin = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'admin', org: union }]));
});

const url = (code: string, k: keyof typeof orgs, date = D) => `/reports/${code}/${orgs[k].inpo}/${date}`;
const json = async (path: string) => (await admin.agent.get(path).expect(200)).body as Json;
const values = (r: Json, no: string) => r.lines.find((l) => l.no === no)!.values!;
const file = (code: string, k: keyof typeof orgs, date = D) =>
  admin.agent
    .post(`${url(code, k, date)}/file`)
    .type('form')
    .send({ _csrf: admin.csrf })
    .expect(303);
const gapOrgs = (r: Json) => r.gaps.flatMap((g) => g.orgs.map((o) => o.inpo)).sort();

describe('a ППО without a headcount', () => {
  it('5-СП: lines 01, 03, 05 and the coverages are absent (null), the gap names the ППО, the controls on them are not checked', async () => {
    const r = await json(`${url('5-SP', 'X')}.json?source=live`);
    for (const no of ['01', '03', '05', '18', '19', '20', '21'])
      expect({ no, total: values(r, no).total }).toEqual({ no, total: null });
    expect(values(r, '02').total).toBe(3);
    expect(gapOrgs(r)).toEqual([orgs.X.inpo]);
    const notChecked = r.unchecked.map((c) => c.id);
    expect(notChecked).toEqual(
      expect.arrayContaining([
        'members-le-staff',
        'ped-staff-le-staff',
        'ped-members-le-ped-staff',
        'students-le-students',
      ]),
    );
    expect(r.controls.map((c) => c.id)).not.toEqual(expect.arrayContaining(notChecked));
  });

  it('КДК-1: line 04 (employees covered) is absent, not 0; the coverage control is not checked; the gap names the ППО', async () => {
    const r = await json(`${url('KDK-1', 'X', '2026-01-01')}.json?source=live`);
    expect(values(r, '01').total).toBe(1);
    expect(values(r, '04').total).toBeNull();
    expect(values(r, '05').total).toBe(3);
    expect(r.unchecked.map((c) => c.id)).toEqual(['covered-members-le-staff']);
    expect(gapOrgs(r)).toEqual([orgs.X.inpo]);
    // where the headcount exists, line 04 is it
    expect(values(await json(`${url('KDK-1', 'Y', '2026-01-01')}.json?source=live`), '04').total).toBe(
      HEADCOUNT_Y.employees,
    );
  });

  it('КДК-2 sums the employees covered over the ППО that have a headcount and names the one that has none', async () => {
    const r = await json(`${url('KDK-2', 'T', '2026-01-01')}.json?source=live`);
    expect(values(r, '07').total).toBe(100); // Y: 20 of 20 employees covered; X is not counted either way
    expect(gapOrgs(r)).toEqual([orgs.X.inpo]);
  });

  it('КДКО: the employees covered of the ППО without a headcount are absent («—»), the gap names it', async () => {
    const r = (await json(`${url('KDKO', 'T', '2026-01-01')}.json?source=live`)) as Json & {
      rows: { inpo: string; staffCovered: number | null }[];
    };
    expect(r.rows.map((x) => [x.inpo, x.staffCovered]).sort()).toEqual(
      [
        [orgs.X.inpo, null],
        [orgs.Y.inpo, HEADCOUNT_Y.employees],
      ].sort(),
    );
    expect(gapOrgs(r)).toEqual([orgs.X.inpo]);
    const xlsx = await admin.agent
      .get(`${url('KDKO', 'T', '2026-01-01')}.xlsx`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const rows = await readSheet(xlsx.body as Buffer);
    const header = rows.find((row) => row.includes('ИНПО'))!;
    expect(rows.find((row) => row.includes(orgs.X.inpo))![header.indexOf('Охвачено работников')]).toBe('—');
    expect(rows.map((row) => row.join(' ')).join('\n')).toContain('Пробелы в данных');
    const page = (await admin.agent.get(url('KDKO', 'T', '2026-01-01')).expect(200)).text;
    expect(page).toContain('Пробелы в данных');
  });

  it('the page, the workbook and the PDF print «—» for the absent lines and list the gap and the unchecked controls', async () => {
    const page = (await admin.agent.get(`${url('5-SP', 'X')}?source=live`).expect(200)).text;
    expect(page).toMatch(/<tr data-line="01">[\s\S]*?data-column="total">—<\/td>/);
    expect(page).toContain('Пробелы в данных');
    expect(page).toContain('Не проверены');
    expect(page).toContain('data-unchecked="members-le-staff"');

    const xlsx = await admin.agent
      .get(`${url('5-SP', 'X')}.xlsx?source=live`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const rows = await readSheet(xlsx.body as Buffer);
    expect(rows.find((row) => row[0] === '01')![2]).toBe('—');
    const text = rows.map((row) => row.join(' ')).join('\n');
    expect(text).toContain('Пробелы в данных');
    expect(text).toContain(orgs.X.name);
    expect(text).toContain('Не проверены');

    const pdf = await pdfText(
      (
        await admin.agent
          .get(`${url('5-SP', 'X')}.pdf?source=live`)
          .buffer(true)
          .parse(binaryParser)
          .expect(200)
      ).body as Buffer,
    );
    expect(pdf).toContain('—');
    expect(pdf).toContain('Пробелы в данных');
    expect(pdf).toContain(orgs.X.name);
    expect(pdf).toContain('Не проверены');
  });
});

describe('consolidation from filed reports', () => {
  it('a line every filed child lacks stays absent; otherwise the present values are summed and the children lacking it are named', async () => {
    await file('5-SP', 'Z');
    await file('5-SP', 'X');
    const onlyZ = await json(`${url('2-SP', 'T1')}.json?source=filed`);
    for (const no of ['01', '03']) expect({ no, total: values(onlyZ, no).total }).toEqual({ no, total: null });
    expect(values(onlyZ, '02').total).toBe(1);
    expect(gapOrgs(onlyZ)).toContain(orgs.Z.inpo);

    const onlyX = await json(`${url('2-SP', 'T')}.json?source=filed`);
    expect(values(onlyX, '01').total).toBeNull();
    await file('5-SP', 'Y');
    const both = await json(`${url('2-SP', 'T')}.json?source=filed`);
    expect(values(both, '01').total).toBe(HEADCOUNT_Y.employees);
    expect(values(both, '03').total).toBe(HEADCOUNT_Y.ped);
    expect(values(both, '02').total).toBe(5);
    expect(gapOrgs(both)).toContain(orgs.X.inpo);
    expect(gapOrgs(both)).not.toContain(orgs.Y.inpo);
    // live and from filed agree on every line when every child has filed and nothing changed
    const live = await json(`${url('2-SP', 'T')}.json?source=live`);
    for (const no of ['01', '02', '03', '04', '05', '09', '18', '20', '21'])
      expect({ no, v: values(both, no) }).toEqual({ no, v: values(live, no) });
  });

  it("a line no filed child has at all (a 3-СП ППО has no employees' lines) stays absent, as live", async () => {
    const db = ctx.database.ownerDb;
    const T3 = await createOrg(db, (await findOrgById(db, orgs.T.parentId!))!, 'territorial', {
      name: 'Территориальная со студенческой ППО',
    });
    const S = await createOrg(db, T3, 'primary', { name: 'ППО студентов', employerKind: 'college' });
    await db('organizations').where({ id: S.id }).update({ primary_form: '3-SP' });
    await insertPeople(db, { S }, [
      {
        surname: 'Жукова',
        sex: 'f',
        birth: '2005-01-01',
        periods: [{ org: 'S', category: 'student', from: '2024-09-01' }],
      },
    ]);
    await db('org_headcounts').insert({
      organization_id: S.id,
      as_of: '2025-09-01',
      employees_total: 50,
      employees_pedagogical: 30,
      students_total: 400,
    });
    await admin.agent.post(`/reports/3-SP/${S.inpo}/${D}/file`).type('form').send({ _csrf: admin.csrf }).expect(303);
    const territory = `/reports/2-SP/${T3.inpo}/${D}.json`;
    const [fromFiled, live] = [await json(`${territory}?source=filed`), await json(`${territory}?source=live`)];
    for (const no of ['01', '03', '05', '06', '18', '19', '20'])
      expect({ no, v: values(fromFiled, no) }).toEqual({ no, v: values(live, no) });
    expect([values(fromFiled, '01').total, values(fromFiled, '05').total]).toEqual([null, 400]);
  });

  it('the comparison says a filed report lacked the value («—»), not that it said 0', async () => {
    await ctx.database.ownerDb('org_headcounts').insert({
      organization_id: orgs.X.id,
      as_of: '2026-02-01',
      employees_total: 7,
      employees_pedagogical: 3,
      students_total: 0,
    });
    const page = (await admin.agent.get(`${url('2-SP', 'T')}/compare`).expect(200)).text;
    const row = /<tr>\s*<td>01\.[\s\S]*?<\/tr>/.exec(page)![0];
    expect(row).toContain(`${orgs.X.name}</a>: по реестру 7, в отчёте —`);
    expect(row).not.toContain(orgs.Y.name);
  });
});
