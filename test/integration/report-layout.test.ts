import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../support/agents';
import { loggedInAgent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createOrg, createUser } from '../support/factories';
import { pdfPages } from '../support/pdf';
import { D, buildReportFixture, type OrgKey, type ReportFixture } from '../support/report-fixture';
import { binaryParser } from '../support/xlsx';

// The printed forms keep every ИНПО, date and number whole ("1600000 / 069" was one ИНПО broken over two
// lines of a КДКО cell): column widths come from the content, only names and labels wrap, and a form too
// wide for a portrait A4 page (КДКО) is laid out in landscape, in the PDF and the XLSX alike.

const ctx = useTestApp();
let fx: ReportFixture;
let students: { inpo: string };
let stat: { agent: Agent; csrf: string };

const LONG =
  'муниципального бюджетного общеобразовательного учреждения «Средняя общеобразовательная школа № 1 с углублённым изучением отдельных предметов имени Героя Советского Союза';
const LONG_NAMES: Partial<Record<OrgKey, string>> = {
  R: 'Региональная (республиканская) организация Общероссийского Профсоюза образования Республики Татарстан — отчёты',
  T: 'Территориальная (городская) организация Общероссийского Профсоюза образования городского округа «Город Набережные Челны»',
  A: `Первичная профсоюзная организация ${LONG} Ивана Ивановича Иванова»`,
  B: 'Первичная профсоюзная организация муниципального автономного дошкольного образовательного учреждения «Детский сад комбинированного вида № 2 «Солнышко»',
  C: 'Первичная профсоюзная организация работников и обучающихся федерального государственного автономного образовательного учреждения высшего образования «Казанский (Приволжский) федеральный университет»',
};

/** S: a ППО of students only (it files 3-СП, chosen in its passport) */
const FORMS: { code: string; org: OrgKey | 'S'; wide: boolean }[] = [
  { code: '5-SP', org: 'A', wide: false },
  { code: '4-SP', org: 'C', wide: false },
  { code: '3-SP', org: 'S', wide: false },
  { code: '2-SP', org: 'T', wide: false },
  { code: '1-SP', org: 'R', wide: false },
  { code: 'KDK-1', org: 'A', wide: false },
  { code: 'KDK-2', org: 'R', wide: false },
  { code: 'KDKO', org: 'T', wide: true },
  { code: 'KDKO', org: 'R', wide: true },
];

const DATE = /\d{2}\.\d{2}\.\d{4}/g;
const ddmmyyyy = (iso: string) => iso.split('-').reverse().join('.');

interface ReportJson {
  organization: { inpo: string };
  date: string;
  periodStart: string;
  lines?: { no: string; type: string; text?: string; values?: Record<string, number | null> }[];
  rows?: Record<string, unknown>[];
}

/** What must stand whole in one text item of the PDF: ИНПО, dates and numbers (as a multiset: each occurrence). */
function wholeTokens(r: ReportJson): string[] {
  const tokens = [r.organization.inpo, ddmmyyyy(r.date), ddmmyyyy(r.periodStart)];
  for (const line of r.lines ?? []) {
    if (line.type === 'text') tokens.push(...((line.text ?? '').match(DATE) ?? []));
  }
  for (const row of r.rows ?? []) {
    tokens.push(String(row.inpo));
    for (const key of ['signedOn', 'validFrom', 'validTo']) if (row[key]) tokens.push(ddmmyyyy(String(row[key])));
    for (const key of ['staffCovered', 'membersCovered']) if (row[key] != null) tokens.push(String(row[key]));
  }
  return tokens;
}

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  fx = await buildReportFixture(db);
  for (const [key, name] of Object.entries(LONG_NAMES))
    await db('organizations')
      .where({ id: fx.orgs[key as OrgKey].id })
      .update({ name });
  // more ППО in the territory: the list runs over pages, each with its own long name
  students = await createOrg(db, fx.orgs.T, 'primary', {
    employerKind: 'college',
    name: `Первичная профсоюзная организация обучающихся ${LONG}»`,
  });
  await db('organizations').where({ inpo: students.inpo }).update({ primary_form: '3-SP' });
  for (let i = 3; i <= 40; i++)
    await createOrg(db, fx.orgs.T, 'primary', { name: `Первичная профсоюзная организация ${LONG} № ${i}»` });
  stat = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'statistician', org: fx.orgs.R }]));
});

describe('printed forms with long names', () => {
  it.each(FORMS)(
    '$code of $org: every ИНПО, date and number stands whole in the PDF; wide forms are landscape',
    async ({ code, org, wide }) => {
      const url = `/reports/${code}/${(org === 'S' ? students : fx.orgs[org]).inpo}/${D}`;
      const json = (await stat.agent.get(`${url}.json`).expect(200)).body as ReportJson;
      const pdf = await stat.agent.get(`${url}.pdf`).buffer(true).parse(binaryParser).expect(200);
      const pages = await pdfPages(pdf.body);
      const items = pages.flatMap((p) => p.items.map((s) => s.trim()));
      // every word of every laid-out line, as a multiset: a token broken over two lines is in none of them
      const words = new Map<string, number>();
      for (const word of items.flatMap((s) => s.split(/[\s:;,()«»·]+/))) words.set(word, (words.get(word) ?? 0) + 1);
      const broken: string[] = [];
      for (const token of wholeTokens(json)) {
        if (!words.get(token)) broken.push(token);
        else words.set(token, words.get(token)! - 1);
      }
      expect(broken).toEqual([]);
      for (const page of pages) expect({ landscape: page.width > page.height }).toEqual({ landscape: wide });
      if (json.rows) {
        // a list form: ИНПО, dates and numbers are cells of their own
        expect(json.rows.length).toBeGreaterThan(0);
        for (const row of json.rows) expect(items).toContain(String(row.inpo));
      }
    },
  );

  it('the КДКО workbook is landscape too, its columns as wide as their widest ИНПО, date and number', async () => {
    const rows = ((await stat.agent.get(`/reports/KDKO/${fx.orgs.T.inpo}/${D}.json`).expect(200)).body as ReportJson)
      .rows!.length;
    const xlsx = await stat.agent
      .get(`/reports/KDKO/${fx.orgs.T.inpo}/${D}.xlsx`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.pageSetup.orientation).toBe('landscape');
    const header = (sheet.getSheetValues() as unknown[][]).findIndex((r) => Array.isArray(r) && r[2] === 'ИНПО');
    expect(header).toBeGreaterThan(0);
    const labels = (sheet.getRow(header).values as unknown[]).slice(1).map(String);
    for (const label of ['ИНПО', 'Подписан', 'Действует с', 'Действует по', 'Охвачено работников']) {
      const column = labels.indexOf(label) + 1;
      const widest = Math.max(
        ...(sheet.getColumn(column).values as unknown[])
          .slice(header + 1, header + 1 + rows)
          .filter((v) => v != null && v !== '')
          .map((v) => String(v).length),
      );
      expect({ label, fits: sheet.getColumn(column).width! >= widest + 1 }).toEqual({ label, fits: true });
    }
    // the name column is the wide one, and wraps
    expect(sheet.getColumn(1).width).toBeGreaterThan(sheet.getColumn(2).width!);
  });
});
