import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import type { Agent } from '../support/agents';
import { loggedInAgent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createOrg, createUser, unionRoot } from '../support/factories';
import { embeddedFontNames, pdfText } from '../support/pdf';
import { D, buildReportFixture, type ReportFixture } from '../support/report-fixture';
import { binaryParser } from '../support/xlsx';
import { submitForm } from '../support/forms';

// The filing workflow over HTTP: draft, filing blocked by a failed control, the fix at the source,
// filing, acceptance by the higher organization, return and reopening, versions, consolidation,
// the filing board, downloads, and who may do what.

const ctx = useTestApp();
let fx: ReportFixture;
const as: Record<
  'chairA' | 'chairB' | 'coordT' | 'coordR' | 'stat' | 'outsider' | 'admin',
  { agent: Agent; csrf: string }
> = {} as never;
const url = (code: string, inpo: string, rest = '') => `/reports/${code}/${inpo}/${D}${rest}`;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  fx = await buildReportFixture(db);
  const users = {
    chairA: await createUser(db, [{ role: 'chair', org: fx.orgs.A }]),
    chairB: await createUser(db, [{ role: 'chair', org: fx.orgs.B }]),
    coordT: await createUser(db, [{ role: 'coordinator', org: fx.orgs.T }]),
    coordR: await createUser(db, [{ role: 'coordinator', org: fx.orgs.R }]),
    stat: await createUser(db, [{ role: 'statistician', org: fx.orgs.R }]),
    outsider: await createUser(db, [{ role: 'coordinator', org: fx.orgs.R2 }]),
    admin: await createUser(db, [{ role: 'admin', org: await unionRoot(db) }]),
  };
  for (const [key, user] of Object.entries(users)) as[key as keyof typeof as] = await loggedInAgent(ctx.app, user);
});

const post = (who: keyof typeof as, path: string, body: Record<string, string> = {}) =>
  as[who].agent
    .post(path)
    .type('form')
    .send({ _csrf: as[who].csrf, ...body });
const json = async (who: keyof typeof as, path: string) => (await as[who].agent.get(path).expect(200)).body;
const line = (body: { lines: { no: string; values?: Record<string, number | null>; text?: string }[] }, no: string) =>
  body.lines.find((l) => l.no === no)!;

describe('the draft and filing of a ППО report', () => {
  it('the chair sees the draft with the failed control and the cards behind it; filing is refused until the data is fixed', async () => {
    const page = await as.chairA.agent.get(url('5-SP', fx.orgs.A.inpo)).expect(200);
    expect(page.text).toContain('Членов Профсоюза на педагогических должностях (стр. 04) больше');
    expect(page.text).toContain(`href="/members/${fx.members['Алексеева']}"`);
    // a draft is computed, not stored: nothing is filed yet, so the report is «не начат» (opening it wrote nothing)
    expect(page.text).toContain('Черновик: рассчитан по реестру сейчас');
    expect(page.text).toMatch(/id="report-status">не начат</);

    await post('chairA', url('5-SP', fx.orgs.A.inpo, '/file')).expect(303);
    const refused = await as.chairA.agent.get(url('5-SP', fx.orgs.A.inpo)).expect(200);
    expect(refused.text).toContain('Отчёт не сдан: не пройдена проверка');
    expect((await json('chairA', url('5-SP', fx.orgs.A.inpo, '.json'))).source).toBe('live');

    // the fix is made at the source: the headcount of the passport on a date before the report
    await post('chairA', `/orgs/${fx.orgs.A.inpo}/headcount`, {
      asOf: '2026-03-01',
      employeesTotal: '42',
      employeesPedagogical: '12',
      studentsTotal: '0',
    }).expect(303);
    await post('chairA', url('5-SP', fx.orgs.A.inpo, '/file')).expect(303);
    const filed = await as.chairA.agent.get(url('5-SP', fx.orgs.A.inpo)).expect(200);
    expect(filed.text).toContain('сдан, на проверке');
    expect(filed.text).toContain('Показана сданная версия 1');
  });

  it('only the higher organization accepts; an accepted report is reopened only by it, with a comment, and refiled as a new version', async () => {
    await post('chairA', url('5-SP', fx.orgs.A.inpo, '/accept')).expect(403);
    await post('coordT', url('5-SP', fx.orgs.A.inpo, '/accept')).expect(303);
    expect((await as.coordT.agent.get(url('5-SP', fx.orgs.A.inpo))).text).toContain('принят');
    await post('chairA', url('5-SP', fx.orgs.A.inpo, '/file')).expect(409);
    await post('coordT', url('5-SP', fx.orgs.A.inpo, '/reopen'), { comment: '' }).expect(422);
    await post('coordT', url('5-SP', fx.orgs.A.inpo, '/reopen'), { comment: 'Уточните численность педагогов' }).expect(
      303,
    );
    const returned = await as.chairA.agent.get(url('5-SP', fx.orgs.A.inpo)).expect(200);
    expect(returned.text).toContain('возвращён на доработку');
    expect(returned.text).toContain('Уточните численность педагогов');

    expect(
      (
        await submitForm(as.chairA.agent, `/orgs/${fx.orgs.A.inpo}/headcount`, `/orgs/${fx.orgs.A.inpo}/headcount`, {
          asOf: '2026-03-01',
          employeesTotal: '42',
          employeesPedagogical: '14',
          studentsTotal: '0',
        })
      ).status,
    ).toBe(303);
    await post('chairA', url('5-SP', fx.orgs.A.inpo, '/file')).expect(303);
    const diff = await as.coordT.agent.get(url('5-SP', fx.orgs.A.inpo, '/versions?a=1&b=2')).expect(200);
    expect(diff.text).toMatch(/03\. Педагогических работников[\s\S]*12[\s\S]*14/);
    const v1 = await json('coordT', url('5-SP', fx.orgs.A.inpo, '.json?version=1'));
    const v2 = await json('coordT', url('5-SP', fx.orgs.A.inpo, '.json'));
    expect([line(v1, '03').values!.total, line(v2, '03').values!.total]).toEqual([12, 14]);
  });
});

describe('any date', () => {
  it('opens a report on any date from the reports page; only reporting dates can be filed', async () => {
    const res = await as.chairB.agent.get(`/orgs/${fx.orgs.B.inpo}/reports/open?form=5-SP&date=2026-03-15`).expect(303);
    expect(res.headers.location).toBe(`/reports/5-SP/${fx.orgs.B.inpo}/2026-03-15`);
    const page = await as.chairB.agent.get(res.headers.location!).expect(200);
    expect(page.text).toContain('движение с 01.01.2026');
    expect(page.text).not.toContain('Сдать отчёт');
    await post('chairB', `/reports/5-SP/${fx.orgs.B.inpo}/2026-03-15/file`).expect(422);
    const bad = await as.chairB.agent.get(`/orgs/${fx.orgs.B.inpo}/reports/open?form=5-SP&date=`).expect(303);
    expect(bad.headers.location).toBe(`/orgs/${fx.orgs.B.inpo}/reports`);
  });
});

describe('downloads', () => {
  it('XLSX parsed back and PDF text give the numbers of the JSON', async () => {
    const body = await json('stat', url('5-SP', fx.orgs.A.inpo, '.json'));
    expect(body.lines).toHaveLength(32);
    const xlsx = await as.stat.agent
      .get(url('5-SP', fx.orgs.A.inpo, '.xlsx'))
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.pageSetup.paperSize).toBe(9);
    const cells = new Map<string, (string | number | null)[]>();
    sheet.eachRow((row) => {
      const values = (row.values as unknown[]).slice(1);
      if (typeof values[0] === 'string' && /^\d{2}$/.test(values[0]))
        cells.set(
          values[0],
          Array.from({ length: 3 }, (_, i) => (values[2 + i] ?? null) as number | null),
        );
    });
    const text = sheet.getSheetValues().flat().join(' ');
    expect(text).toContain(fx.orgs.A.inpo);
    expect(text).toContain('Председатель организации');
    for (const l of body.lines as { no: string; values: Record<string, number | null> }[]) {
      // a column the line lacks prints «×» (null here); an absent value of a column it has prints «—»
      const printed = (k: string) => (k in l.values ? (l.values[k] ?? '—') : null);
      expect({ no: l.no, xlsx: cells.get(l.no)!.map((v) => (v === '×' ? null : (v ?? null))) }).toEqual({
        no: l.no,
        xlsx: ['total', 'women', 'youth'].map(printed),
      });
    }

    const pdf = await as.stat.agent
      .get(url('5-SP', fx.orgs.A.inpo, '.pdf'))
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    expect(embeddedFontNames(pdf.body).some((f) => f.includes('DejaVuSans'))).toBe(true);
    const pdfLines = (await pdfText(pdf.body))
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    expect(pdfLines).toContain('Членов Профсоюза всего (стр. 02 + 06 + 07 + 08)');
    expect(pdfLines).toContain(`ИНПО: ${fx.orgs.A.inpo}`);
    // every line number is followed, after its label, by its values in column order
    for (const l of body.lines as { no: string; label: string; values: Record<string, number | null> }[]) {
      const at = pdfLines.findIndex((s, i) => s === l.no && pdfLines[i + 1]!.startsWith(l.label.slice(0, 15)));
      expect(at, `line ${l.no} in the PDF`).toBeGreaterThanOrEqual(0);
      const after = pdfLines.slice(at + 1, at + 20).filter((s) => /^(\d+(,\d)?|×)$/.test(s));
      const expected = ['total', 'women', 'youth']
        .map((c) => l.values[c])
        .filter((v) => v != null)
        .map((v) => String(v).replace('.', ','));
      expect({ no: l.no, values: after.filter((s) => s !== '×').slice(0, expected.length) }).toEqual({
        no: l.no,
        values: expected,
      });
    }
  });

  it('a consolidated organization downloads one workbook with a sheet per child', async () => {
    const res = await as.coordT.agent
      .get(url('2-SP', fx.orgs.T.inpo, '.xlsx?children=1'))
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body);
    expect(workbook.worksheets.map((w) => w.name)).toEqual([
      '2-СП',
      `${fx.orgs.B.inpo} ППО детского сада № 2`.slice(0, 31).trim(),
      `${fx.orgs.A.inpo} ППО школы № 1`,
    ]);
    // each child on the form it files itself
    expect(workbook.worksheets[1]!.getSheetValues().flat()).toContain('Форма 5-СП');
    const live = await json('coordT', url('5-SP', fx.orgs.B.inpo, '.json?source=live'));
    const row09 = workbook.worksheets[1]!.getSheetValues().find((r) => Array.isArray(r) && r[1] === '09') as unknown[];
    expect(row09.slice(3, 6)).toEqual([
      line(live, '09').values!.total,
      line(live, '09').values!.women,
      line(live, '09').values!.youth,
    ]);
  });
});

describe('consolidation and the filing board', () => {
  it('compares the live consolidation with the sum of the filed reports, down to the organizations that differ', async () => {
    const live = await json('coordT', url('2-SP', fx.orgs.T.inpo, '.json?source=live'));
    const filed = await json('coordT', url('2-SP', fx.orgs.T.inpo, '.json?source=filed'));
    const a = await json('coordT', url('5-SP', fx.orgs.A.inpo, '.json'));
    expect(filed.source).toBe('filed');
    expect(line(filed, '09').values).toEqual(line(a, '09').values); // only A has filed
    expect(line(live, '09').values!.total).toBeGreaterThan(line(filed, '09').values!.total!);
    // percentages of the filed consolidation are recomputed from its summed lines
    expect(line(filed, '18').values!.total).toBe(
      Math.round((line(filed, '02').values!.total! / line(filed, '01').values!.total!) * 1000) / 10,
    );
    const page = await as.coordT.agent.get(url('2-SP', fx.orgs.T.inpo, '/compare')).expect(200);
    expect(page.text).toContain('Сданы отчёты <strong>1</strong> из <strong>2</strong>');
    expect(page.text).toContain('ППО детского сада № 2</a>: по реестру');
    expect(page.text).toContain('отчёт не начат');
  });

  it('the board shows which children filed and which are missing; a child opening its draft changes nothing there', async () => {
    const page = await as.coordT.agent.get(`/orgs/${fx.orgs.T.inpo}/reports/board?form=2-SP&date=${D}`).expect(200);
    const rowOf = (inpo: string) => new RegExp(`data-inpo="${inpo}"[\\s\\S]*?</tr>`).exec(page.text)![0];
    expect(rowOf(fx.orgs.A.inpo)).toContain('сдан, на проверке');
    expect(rowOf(fx.orgs.B.inpo)).toContain('не начат');
    await as.chairB.agent.get(url('5-SP', fx.orgs.B.inpo)).expect(200);
    const again = await as.coordT.agent.get(`/orgs/${fx.orgs.T.inpo}/reports/board?form=2-SP&date=${D}`).expect(200);
    expect(new RegExp(`data-inpo="${fx.orgs.B.inpo}"[\\s\\S]*?</tr>`).exec(again.text)![0]).toContain('не начат');
  });
});

describe('access', () => {
  it('statisticians read and download but do not file; chairs file only their own; nobody sees outside the subtree', async () => {
    await as.stat.agent.get(url('1-SP', fx.orgs.R.inpo)).expect(200);
    await post('stat', url('5-SP', fx.orgs.B.inpo, '/file')).expect(403);
    await post('chairB', url('5-SP', fx.orgs.A.inpo, '/file')).expect(404);
    await as.chairA.agent.get(url('2-SP', fx.orgs.T.inpo)).expect(404);
    await as.outsider.agent.get(url('5-SP', fx.orgs.A.inpo, '.json')).expect(404);
    await as.outsider.agent.get(url('5-SP', fx.orgs.A.inpo, '.xlsx')).expect(404);
    await as.outsider.agent.get(`/orgs/${fx.orgs.T.inpo}/reports/board`).expect(404);
    await post('chairB', url('5-SP', fx.orgs.A.inpo, '/return'), { comment: 'нет' }).expect(404);
    await post('chairA', url('5-SP', fx.orgs.A.inpo, '/return'), { comment: 'нет' }).expect(403);
    await as.chairA.agent.get(url('1-SP', fx.orgs.A.inpo)).expect(404); // a ППО does not file 1-СП
    await as.chairA.agent.get(`/reports/5-SP/${fx.orgs.A.inpo}/2026-02-30`).expect(404);
  });

  it('a new child organization of another region stays invisible to this coordinator', async () => {
    const db = ctx.database.ownerDb;
    const other = await createOrg(db, fx.orgs.T2, 'primary');
    await as.coordT.agent.get(url('5-SP', other.inpo)).expect(404);
  });
});
