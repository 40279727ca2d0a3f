import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { loggedInAgent, type Agent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createOrg, createUser, unionRoot } from '../support/factories';
import { D, buildReportFixture, insertPeople, type PersonSpec, type ReportFixture } from '../support/report-fixture';
import { binaryParser } from '../support/xlsx';
import type { OrgRow } from '../../src/registry/orgs.repo';

// Consolidation as official statistics add it up: section I of 2-СП / 1-СП is the sum of the primary
// forms of the ППО of the subtree, each on the form the ППО files (a passport attribute), so a transfer
// between two ППО of one territory is an arrival in one and a departure in the other; every level files
// to its parent up to the union; a ППО with territorial rights files its own members on its primary form
// and consolidates itself with its child ППО; the children's sheets of a download follow its source.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let fx: ReportFixture;
let admin: { agent: Agent; csrf: string };
let V: OrgRow; // a ППО with territorial rights (university) under the region
let VS: OrgRow; // its faculty
let VC: OrgRow; // its child ППО (a college of the university)

type Lines = Record<string, Record<string, number | null>>;
interface Json {
  source: string;
  form: { code: string; version: number };
  controls: { id: string }[];
  lines: { no: string; values?: Record<string, number | null> }[];
}
const linesOf = (body: Json): Lines => Object.fromEntries(body.lines.map((l) => [l.no, l.values ?? {}]));
const get = async (path: string) => (await admin.agent.get(path).expect(200)).body as Json;
const report = (code: string, org: OrgRow, query = '') => get(`/reports/${code}/${org.inpo}/${D}.json${query}`);
const file = async (code: string, org: OrgRow) => {
  await admin.agent.post(`/reports/${code}/${org.inpo}/${D}/file`).type('form').send({ _csrf: admin.csrf }).expect(303);
  const row = await db()('reports').where({ organization_id: org.id, form_code: code, report_date: D }).first('status');
  expect(row?.status, `${code} of ${org.name} filed`).toBe('submitted');
};
/** Section I lines that are sums over the ППО (01–30 and 32; 31 counts distinct persons). */
const SUMMED = [
  ...Array.from({ length: 17 }, (_, i) => String(i + 1).padStart(2, '0')),
  ...Array.from({ length: 9 }, (_, i) => String(i + 22)),
  '32',
];
const COLS = ['total', 'women', 'youth'] as const;
function sumOf(reports: Lines[], nos = SUMMED): Lines {
  return Object.fromEntries(
    nos.map((no) => [no, Object.fromEntries(COLS.map((c) => [c, reports.reduce((a, r) => a + (r[no]?.[c] ?? 0), 0)]))]),
  );
}
const pick = (lines: Lines, nos = SUMMED): Lines =>
  Object.fromEntries(nos.map((no) => [no, Object.fromEntries(COLS.map((c) => [c, lines[no]?.[c] ?? 0]))]));

const P = (
  surname: string,
  sex: 'm' | 'f',
  birth: string,
  periods: PersonSpec<'V' | 'VS' | 'VC'>['periods'],
): PersonSpec<'V' | 'VS' | 'VC'> => ({ surname, sex, birth, periods });

beforeAll(async () => {
  fx = await buildReportFixture(db());
  const union = await unionRoot(db());
  admin = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: union }]));
  // A's passport headcount of the report date (the fixture's later figures fail its control 04 <= 03)
  await db()('org_headcounts').insert({
    organization_id: fx.orgs.A.id,
    as_of: '2026-03-01',
    employees_total: 42,
    employees_pedagogical: 12,
    students_total: 0,
  });
  V = await createOrg(db(), fx.orgs.R, 'primary', {
    name: 'ППО университета с правами территориальной',
    employerKind: 'university',
    hasTerritorialRights: true,
  });
  VS = await createOrg(db(), V, 'subdivision', { name: 'Профбюро экономического факультета' });
  VC = await createOrg(db(), V, 'primary', { name: 'ППО колледжа университета', employerKind: 'college' });
  await insertPeople(db(), { V, VS, VC }, [
    P('Агеева', 'f', '1980-01-01', [{ org: 'V', category: 'working', from: '2010-01-01' }]),
    P('Бобров', 'm', '1996-01-01', [{ org: 'VS', category: 'working', from: '2019-01-01' }]),
    P('Веселова', 'f', '2005-01-01', [{ org: 'VS', category: 'student', from: '2023-09-01' }]),
    P('Гришин', 'm', '1975-01-01', [{ org: 'VC', category: 'working', from: '2011-01-01' }]),
    P('Дорохова', 'f', '1999-01-01', [
      { org: 'VC', category: 'working', from: '2020-01-01', to: '2026-02-01' },
      { org: 'V', category: 'working', from: '2026-02-01' },
    ]),
    P('Ефимов', 'm', '2006-01-01', [{ org: 'VC', category: 'student', from: '2026-02-10' }]),
  ]);
  for (const [org, employees, students] of [
    [V, 900, 5000],
    [VC, 120, 800],
  ] as const) {
    await db()('org_headcounts').insert({
      organization_id: org.id,
      as_of: '2025-09-01',
      employees_total: employees,
      employees_pedagogical: employees / 2,
      students_total: students,
    });
  }
});

describe('section I of a consolidated form is the sum of the primary forms of its ППО', () => {
  it('counts a transfer between two ППО of one territory as an arrival in one and a departure in the other', async () => {
    const [t, a, b] = await Promise.all([
      report('2-SP', fx.orgs.T, '?source=live'),
      report('5-SP', fx.orgs.A, '?source=live'),
      report('5-SP', fx.orgs.B, '?source=live'),
    ]);
    // Ильина moved from A to B inside the territory on 15.02.2026
    expect(linesOf(b)['12']!.total).toBe(1);
    expect(linesOf(a)['16']!.total).toBeGreaterThanOrEqual(1);
    expect(pick(linesOf(t))).toEqual(sumOf([linesOf(a), linesOf(b)]));
  });

  it('gives "from filed" equal to "live" on every line when every child has filed and nothing changed', async () => {
    await file('5-SP', fx.orgs.A);
    await file('5-SP', fx.orgs.B);
    const [live, filed] = await Promise.all([
      report('2-SP', fx.orgs.T, '?source=live'),
      report('2-SP', fx.orgs.T, '?source=filed'),
    ]);
    expect(filed.source).toBe('filed');
    expect(linesOf(filed)).toEqual(linesOf(live));
  });
});

describe('the primary form is an attribute of the ППО', () => {
  it('defaults to 4-СП for universities and colleges and to 5-СП for others, and is chosen in the passport', async () => {
    const forms = async (org: OrgRow) =>
      (await db()('organizations').where({ id: org.id }).first('primary_form')).primary_form;
    expect([await forms(fx.orgs.A), await forms(fx.orgs.C), await forms(VC)]).toEqual(['5-SP', '4-SP', '4-SP']);
    const page = await admin.agent.get(`/orgs/${fx.orgs.C.inpo}/edit`).expect(200);
    expect(page.text).toContain('name="primaryForm"');
    const version = /name="version" value="(\d+)"/.exec(page.text)?.[1];
    const base = /name="base" value="([^"]*)"/.exec(page.text)?.[1];
    const bad = await admin.agent.post(`/orgs/${fx.orgs.C.inpo}/edit`).type('form').send({
      _csrf: admin.csrf,
      name: fx.orgs.C.name,
      employerKind: 'university',
      primaryForm: '7-SP',
      version,
      base,
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Выберите форму из списка');
    await admin.agent
      .post(`/orgs/${fx.orgs.C.inpo}/edit`)
      .type('form')
      .send({ _csrf: admin.csrf, name: fx.orgs.C.name, employerKind: 'university', primaryForm: '3-SP', version, base })
      .expect(303);
    expect(await forms(fx.orgs.C)).toBe('3-SP');
    // a ППО files only its own form
    await admin.agent.get(`/reports/4-SP/${fx.orgs.C.inpo}/${D}`).expect(404);
    await admin.agent.get(`/reports/3-SP/${fx.orgs.C.inpo}/${D}`).expect(200);
  });

  it("counts a 3-СП ППО in the region's consolidation by its own lines, live and from filed", async () => {
    const c = linesOf(await report('3-SP', fx.orgs.C, '?source=live'));
    // live, the region adds up its children each by its own form: C's working members are on no line of its 3-СП but 09
    const [live, t, v] = await Promise.all([
      report('1-SP', fx.orgs.R, '?source=live'),
      report('2-SP', fx.orgs.T, '?source=live'),
      report('2-SP', V, '?source=live'),
    ]);
    expect(c['02']).toBeUndefined();
    expect(pick(linesOf(live))).toEqual(sumOf([linesOf(t), linesOf(v), c]));
    await file('3-SP', fx.orgs.C);
    const region = await get(`/reports/1-SP/${fx.orgs.R.inpo}/${D}.json?source=filed`);
    // C is the only ППО directly under the region that has filed: its students count
    expect(linesOf(region)['06']!.total).toBeGreaterThanOrEqual(c['06']!.total!);
    expect(c['06']!.total).toBeGreaterThan(0);
    // its working members (Щукин, Юдина) count in 09 only: a 3-СП ППО with members other than students fails
    // the consolidation's control 09 = 02 + 06 + 07 + 08 (it should file 4-СП)
    expect(c['09']!.total).toBeGreaterThan(c['06']!.total!);
    expect(live.controls.map((x) => x.id)).toContain('members-total');
    const board = await admin.agent.get(`/orgs/${fx.orgs.R.inpo}/reports/board?form=1-SP&date=${D}`).expect(200);
    expect(new RegExp(`data-inpo="${fx.orgs.C.inpo}"[\\s\\S]*?</tr>`).exec(board.text)![0]).toContain('3-СП');
  });
});

describe('a ППО with territorial rights', () => {
  it('files its own members on its primary form and consolidates itself with its child ППО on 2-СП', async () => {
    const own = linesOf(await report('4-SP', V, '?source=live'));
    const child = linesOf(await report('4-SP', VC, '?source=live'));
    // own: Агеева, Бобров, Веселова (faculty) and Дорохова; the child's: Гришин and Ефимов
    expect(own['09']!.total).toBe(4);
    expect(child['09']!.total).toBe(2);
    expect(own['12']!.total).toBe(1); // Дорохова from the child ППО
    expect(child['16']!.total).toBe(1);
    const live = linesOf(await report('2-SP', V, '?source=live'));
    expect(pick(live)).toEqual(sumOf([own, child]));
    await file('4-SP', V);
    await file('4-SP', VC);
    const [filed, after] = await Promise.all([report('2-SP', V, '?source=filed'), report('2-SP', V, '?source=live')]);
    expect(linesOf(filed)).toEqual(linesOf(after));
    expect(pick(linesOf(filed))).toEqual(pick(live));
    // a child ППО without a headcount is a gap of the 2-СП, not of the university's own form
    const bare = await createOrg(db(), V, 'primary', { name: 'ППО лицея университета', employerKind: 'school' });
    const gapsOf = async (code: string) =>
      (
        (await get(`/reports/${code}/${V.inpo}/${D}.json?source=live`)) as unknown as {
          gaps: { orgs: { inpo: string }[] }[];
        }
      ).gaps.flatMap((g) => g.orgs.map((o) => o.inpo));
    expect(await gapsOf('2-SP')).toContain(bare.inpo);
    expect(await gapsOf('4-SP')).not.toContain(bare.inpo);
  });
});

describe('the filing chain up to the union', () => {
  it("lists the regions on the union's board and consolidates their filed 1-СП", async () => {
    const union = await unionRoot(db());
    const board = await admin.agent.get(`/orgs/${union.inpo}/reports/board?form=1-SP&date=${D}`).expect(200);
    expect(board.text).toContain(`data-inpo="${fx.orgs.R.inpo}"`);
    expect(board.text).toContain(`data-inpo="${fx.orgs.R2.inpo}"`);
    // (R cannot file: its 3-СП ППО has working members, whom no line but 09 of its form shows — see the 3-СП test)
    await file('1-SP', fx.orgs.R2);
    const region = linesOf(await report('1-SP', fx.orgs.R2));
    const fromFiled = linesOf(await report('1-SP', union, '?source=filed'));
    expect(pick(fromFiled)).toEqual(pick(region));
    const page = await admin.agent.get(`/reports/1-SP/${union.inpo}/${D}/compare`).expect(200);
    expect(page.text).toContain('Сданы отчёты <strong>1</strong> из <strong>2</strong>');
  });
});

describe('sheets of the children', () => {
  it("follow the main sheet's source: from filed, each child's filed version as frozen", async () => {
    const filedA = linesOf(await report('5-SP', fx.orgs.A));
    // a card added to A after its filing changes the live draft, not the filed version
    await insertPeople(db(), { A: fx.orgs.A }, [
      {
        surname: 'Позднякова',
        sex: 'f',
        birth: '1990-01-01',
        periods: [{ org: 'A', category: 'working', from: '2026-03-20' }],
      },
    ]);
    const liveA = linesOf(await report('5-SP', fx.orgs.A, '?source=live'));
    expect(liveA['09']!.total).toBe(filedA['09']!.total! + 1);
    const res = await admin.agent
      .get(`/reports/2-SP/${fx.orgs.T.inpo}/${D}.xlsx?source=filed&children=1`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body);
    const sheetA = workbook.worksheets.find((w) => w.name.startsWith(fx.orgs.A.inpo))!;
    const row09 = sheetA.getSheetValues().find((r) => Array.isArray(r) && r[1] === '09') as unknown[];
    expect(row09.slice(3, 6)).toEqual([filedA['09']!.total, filedA['09']!.women, filedA['09']!.youth]);
    // live downloads keep live sheets
    const live = await admin.agent
      .get(`/reports/2-SP/${fx.orgs.T.inpo}/${D}.xlsx?source=live&children=1`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const liveBook = new ExcelJS.Workbook();
    await liveBook.xlsx.load(live.body);
    const liveRow = liveBook.worksheets
      .find((w) => w.name.startsWith(fx.orgs.A.inpo))!
      .getSheetValues()
      .find((r) => Array.isArray(r) && r[1] === '09') as unknown[];
    expect(liveRow[3]).toBe(liveA['09']!.total);
  });
});
