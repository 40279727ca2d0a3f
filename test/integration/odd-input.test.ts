// Odd input never gives a 500 (issue 11, item 14): NUL bytes, numbers that JavaScript reads too kindly
// ('0x10', '1e3'), cursors, uuids and dates from the URL each get a 4xx with a Russian message.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import express from 'express';
import JSZip from 'jszip';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../src/http/error-handler';
import { setUpViews } from '../../src/http/setup/views';
import { createLogger } from '../../src/logger';
import { MEMBER_COLUMNS } from '../../src/members/import/member-sheet';
import { encodeCursor } from '../../src/shared/cursor';
import { useTestApp } from '../support/app';
import { anonymousAgent, loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createRegionTree, createUser, unionRoot } from '../support/factories';

const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-odd-input-'));
const ctx = useTestApp({ UPLOAD_DIR: uploadDir });
afterAll(() => fs.rmSync(uploadDir, { recursive: true, force: true }));
const db = () => ctx.database.ownerDb;

let tree: Awaited<ReturnType<typeof createRegionTree>>;
let admin: { agent: Agent; csrf: string };
let memberId: number;
let officerId: number;
let consentId: number;

const STACK_OR_SQL =
  /(at \S+ \(|node_modules|\.ts:\d+|SELECT |INSERT |syntax error|invalid input|out of range for type)/;
const post = (url: string, body: Record<string, string>) =>
  admin.agent
    .post(url)
    .type('form')
    .send({ _csrf: admin.csrf, ...body });

/** 4xx with a Russian text and nothing of the server's insides. */
function expectRefusal(res: { status: number; text: string }, statuses: number[] = [400, 404, 422]) {
  expect(statuses).toContain(res.status);
  expect(res.text).toMatch(/[А-Яа-яЁё]/);
  expect(res.text).not.toMatch(STACK_OR_SQL);
}

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  admin = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: await unionRoot(db()) }]));
  [memberId] = (await createMembers(db(), tree.primary, 3)) as [number];
  const [officer] = await db()('org_officers')
    .insert({
      organization_id: tree.primary.id,
      post: 'deputy',
      surname: 'Иванов',
      name: 'Иван',
      elected_on: '2024-01-10',
    })
    .returning('id');
  officerId = officer.id;
  const [consent] = await db()('member_consents')
    .insert({ member_id: memberId, kind: 'processing', text_version: '1', source: 'paper', given_on: '2024-01-10' })
    .returning('id');
  consentId = Number(consent.id);
});

describe('NUL bytes', () => {
  it('when a form field carries a NUL byte, then 400 names the field and nothing is saved', async () => {
    const res = await post(`/orgs/${tree.primary.inpo}/edit`, { name: 'Школа\u0000№ 1' });
    expectRefusal(res, [400]);
    expect(res.text).toContain('«name»');
    expect((await db()('organizations').where({ id: tree.primary.id }).first()).name).toBe(tree.primary.name);
  });

  it('when a query parameter carries a NUL byte, then 400 names the parameter', async () => {
    const res = await admin.agent.get(`/orgs/${tree.primary.inpo}/search?q=%00`);
    expectRefusal(res, [400]);
    expect(res.text).toContain('«q»');
  });

  it('when a JSON body hides a NUL byte in a nested value, then 400', async () => {
    const res = await admin.agent
      .post(`/orgs/${tree.primary.inpo}/edit`)
      .set('X-CSRF-Token', admin.csrf)
      .send({ name: ['ok', 'a\u0000'] });
    expectRefusal(res, [400]);
  });

  it('when the path carries a NUL byte, then 400 or 404', async () => {
    expectRefusal(await admin.agent.get('/orgs/%00'));
    expectRefusal(await admin.agent.get(`/members/${memberId}%00`));
  });

  it('when a form definition hides a NUL byte behind a JSON escape, then 422 names where, and no version is stored', async () => {
    const definition = JSON.parse(
      fs.readFileSync(path.resolve(import.meta.dirname, '../../seeds/reference/form-5-SP.json'), 'utf8'),
    );
    const text = JSON.stringify({ ...definition, version: 2, title: `${definition.title}\u0000` });
    const res = await admin.agent
      .post(`/admin/forms?_csrf=${encodeURIComponent(admin.csrf)}`)
      .attach('file', Buffer.from(text), 'form.json');
    expectRefusal(res, [422]);
    expect(res.text).toContain('«title»');
    expect(await db()('form_versions').where({ code: '5-SP', version: 2 })).toEqual([]);
  });

  it('when a CSV cell far into the file carries a NUL byte, then that line is reported and nothing is committed', async () => {
    const headers = [...MEMBER_COLUMNS.map((c) => c.header), 'Примечание'];
    const row = (position: string, note = '') => [
      tree.primary.inpo,
      'Кузнецова',
      'Анна',
      '',
      'ж',
      '15.03.1985',
      'Работающий',
      'нет',
      position,
      '',
      '',
      '',
      '01.09.2010',
      note,
    ];
    // the upload check looks for NUL in the first 4 KiB: the bad cell comes later
    const csv = [headers, row('Учитель', 'x'.repeat(5000)), row('Завуч\u0000')].map((r) => r.join(';')).join('\r\n');
    const before = await db()('members').count('* as c').first();
    const res = await admin.agent
      .post(`/orgs/${tree.primary.inpo}/members/import?_csrf=${encodeURIComponent(admin.csrf)}`)
      .field('mode', 'commit')
      .attach('file', Buffer.from(csv, 'utf8'), 'members.csv');
    expectRefusal(res, [422]);
    expect(res.text).toMatch(/<td>3<\/td>\s*<td>Должность<\/td>/);
    expect(await db()('members').count('* as c').first()).toEqual(before);
  });
});

describe('the client address', () => {
  it('when a proxy passes on a forged X-Forwarded-For, then the audited view and a login still work', async () => {
    for (const forged of ['not-an-ip', '999.1.1.1', "1.1.1.1'; --", '\u00e9']) {
      const view = await admin.agent.get(`/members/${memberId}`).set('X-Forwarded-For', forged);
      expect(view.status, forged).toBe(200);
      const visitor = await anonymousAgent(ctx.app, forged);
      const login = await visitor.agent
        .post('/login')
        .type('form')
        .send({ _csrf: visitor.csrf, username: 'nobody', password: 'wrong password' });
      expect(login.status, forged).toBe(401);
    }
  });
});

describe('row numbers of a workbook', () => {
  it("when a crafted workbook repeats a row number or gives one past Excel's last row, then the rows are checked on lines of their own", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Члены');
    sheet.addRow(MEMBER_COLUMNS.map((c) => c.header));
    for (const name of ['Иванова', 'Петрова'])
      sheet.addRow([
        tree.primary.inpo,
        name,
        'Анна',
        '',
        'ж',
        '01.01.1980',
        'Работающий',
        'нет',
        '',
        '',
        '',
        '',
        '01.01.2010',
      ]);
    const original = await JSZip.loadAsync(Buffer.from(await workbook.xlsx.writeBuffer()));
    for (const forged of ['<row r="2"', '<row r="3000000000"', '<row r="0x3"']) {
      const zip = await JSZip.loadAsync(await original.generateAsync({ type: 'nodebuffer' }));
      const part = 'xl/worksheets/sheet1.xml';
      zip.file(part, (await zip.file(part)!.async('string')).replace('<row r="3"', forged));
      const res = await admin.agent
        .post(`/orgs/${tree.primary.inpo}/members/import?_csrf=${encodeURIComponent(admin.csrf)}`)
        .field('mode', 'check')
        .attach('file', await zip.generateAsync({ type: 'nodebuffer' }), 'members.xlsx');
      expect(res.status, forged).toBe(200);
      expect(res.text).toContain('Строк: 2.');
    }
  });
});

describe('numbers are decimal digits', () => {
  it('when a number field is hex, exponent or blank-padded, then a field error and nothing saved', async () => {
    for (const employeesTotal of ['0x10', '1e3', '0b11', 'Infinity', '-0x1']) {
      const res = await post(`/orgs/${tree.primary.inpo}/headcount`, {
        asOf: '2026-03-01',
        employeesTotal,
        employeesPedagogical: '1',
      });
      expectRefusal(res, [422]);
    }
    expect(await db()('org_headcounts').where({ organization_id: tree.primary.id })).toEqual([]);
  });

  it('when an id in the URL is hex or an exponent, then 404, not the record it happens to equal', async () => {
    await admin.agent.get(`/members/${memberId}`).expect(200);
    expectRefusal(await admin.agent.get(`/members/0x${memberId.toString(16)}`), [404]);
    expectRefusal(await admin.agent.get(`/members/${memberId}e0`), [404]);
    expectRefusal(await admin.agent.get(`/members/+${memberId}`), [404]);
    expectRefusal(await admin.agent.get('/admin/forms/0x1'), [404]);
  });

  it('when an id field of a form is hex, then refused: the consent it equals stays given', async () => {
    const res = await post(`/members/${memberId}/consents/withdraw`, {
      consentId: `0x${consentId.toString(16)}`,
      on: '2025-01-10',
    });
    expectRefusal(res, [400, 404, 422]);
    expect((await db()('member_consents').where({ id: consentId }).first()).withdrawn_on).toBeNull();
  });

  it('when an id is beyond the column type, then 404 rather than a database error', async () => {
    expectRefusal(
      await post(`/orgs/${tree.primary.inpo}/officers/2147483648/end`, { endedOn: '2025-01-10' }),
      [404, 422],
    );
    expectRefusal(
      await post(`/orgs/${tree.primary.inpo}/officers/${officerId}0000000000/end`, { endedOn: '2025-01-10' }),
      [404, 422],
    );
    expectRefusal(await post('/transfer-requests/99999999999999999999/decide', { decision: 'accept' }), [404]);
    expectRefusal(await admin.agent.get('/admin/forms/2147483648'), [404]);
  });
});

describe('cursors', () => {
  const list = (sort: string, after: string) =>
    admin.agent.get(`/orgs/${tree.primary.inpo}/members?sort=${sort}&after=${encodeURIComponent(after)}`);

  it('when a list cursor holds values of the wrong kind, then the list starts from its first page', async () => {
    for (const [sort, after] of [
      ['birth', encodeCursor(['not a date', 1])],
      ['birth', encodeCursor(['0001-01-01', 1])],
      ['name', encodeCursor(['Петрова', 'Мария', 'x'])],
      ['name', encodeCursor(['Петрова\u0000', 'Мария', 1])],
      ['joined', encodeCursor(['2010-09-01', 2 ** 60])],
      ['name', '%%%'],
    ] as const) {
      const res = await list(sort, after);
      expect(res.status, `${sort} ${after}`).toBe(200);
      expect(res.text).toContain('Петрова');
    }
  });

  it('when the search cursor is garbage, then the search starts from its first page', async () => {
    for (const after of [encodeCursor(['a\u0000', 1]), encodeCursor(['a', 2 ** 40]), encodeCursor(['a', -1]), 'zzz']) {
      const res = await admin.agent.get(
        `/orgs/${tree.region.inpo}/search?q=${encodeURIComponent('Организация')}&after=${encodeURIComponent(after)}`,
      );
      expect(res.status, after).toBe(200);
    }
  });
});

describe('ids of exports and imports', () => {
  it('when an export or import id is not a uuid, then 404', async () => {
    for (const id of [
      '-'.repeat(36),
      'g'.repeat(36),
      '00000000-0000-0000-0000-00000000000g',
      `${'0'.repeat(8)}-${'0'.repeat(27)}`,
    ]) {
      expectRefusal(await admin.agent.get(`/exports/${id}`), [404]);
      expectRefusal(await admin.agent.get(`/exports/${id}/download`), [404]);
      expectRefusal(await admin.agent.get(`/imports/${id}/errors.csv`), [404]);
    }
  });
});

describe('report dates', () => {
  const report = (date: string, suffix = '') => `/reports/5-SP/${tree.primary.inpo}/${date}${suffix}`;

  it("when a report URL has a date outside the registry's years, then 404 with a Russian message", async () => {
    for (const date of ['0001-01-01', '1000-04-01', '9999-12-31', '9999-01-01']) {
      expectRefusal(await admin.agent.get(report(date)), [404]);
      expectRefusal(await admin.agent.get(report(date, '.json')), [404]);
      expectRefusal(await admin.agent.get(report(date, '/compare')), [404]);
      expectRefusal(await post(report(date, '/file'), {}), [404]);
    }
  });

  it('when the board or a form preview asks for an absurd date, then no 500', async () => {
    for (const date of ['0001-01-01', '9999-01-01']) {
      const board = await admin.agent.get(`/orgs/${tree.territory.inpo}/reports/board?form=2-SP&date=${date}`);
      expect(board.status).toBeLessThan(500);
      const preview = await admin.agent.get(`/admin/forms/1?inpo=${tree.region.inpo}&date=${date}`);
      expect(preview.status).toBeLessThan(500);
      expect(preview.text).not.toMatch(STACK_OR_SQL);
    }
  });

  it('when "open a report" gets an absurd date, then it returns to the reports page with a message', async () => {
    const res = await admin.agent.get(`/orgs/${tree.primary.inpo}/reports/open?form=5-SP&date=0001-01-01`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/orgs/${tree.primary.inpo}/reports`);
  });
});

describe('lengths after normalisation', () => {
  it('when a site address fits the field but grows past its column once percent-encoded, then a field error', async () => {
    const res = await post(`/orgs/${tree.primary.inpo}/edit`, {
      name: tree.primary.name,
      website: `school.ru/${'я'.repeat(250)}`,
    });
    expectRefusal(res, [422]);
    expect(res.text).toContain('адрес сайта');
  });
});

describe('dates in forms', () => {
  it('when a date is before year 1900, impossible or has five digits, then a field error (the range for a well-formed one)', async () => {
    const expected: Record<string, string> = { '0001-01-01': 'Укажите дату с 01.01.1900 по 31.12.2100' };
    for (const electedOn of ['0001-01-01', '2024-02-30', '99999-01-01', '31.02.2024', '1.1.2024']) {
      const res = await post(`/orgs/${tree.primary.inpo}/officers`, {
        post: 'deputy',
        personKind: 'nonmember',
        snils: '112-233-445 95',
        surname: 'Петров',
        name: 'Пётр',
        sex: 'm',
        birthDate: '1980-01-01',
        electedOn,
      });
      expectRefusal(res, [422]);
      expect(res.text, electedOn).toContain(expected[electedOn] ?? 'Введите дату в формате ДД.ММ.ГГГГ');
    }
  });
});

describe("the error handler's backstop", () => {
  it('when a query fails on a value PostgreSQL cannot read (SQLSTATE class 22), then 400 in Russian, not 500', async () => {
    const app = express();
    setUpViews(app, { cache: false });
    const failing: Record<string, string> = {
      '22P02': "SELECT 'x'::int",
      '22007': "SELECT 'not a date'::date",
      '22008': "SELECT '0000-01-01'::date",
      '22003': 'SELECT 3000000000::int',
      '22021': "SELECT convert_from('\\x00'::bytea, 'UTF8')",
      '22001': "DO $$ DECLARE v varchar(2); BEGIN v := 'abc'; END $$",
    };
    const route = (sql: string) => async (_req: express.Request, res: express.Response) =>
      void res.send(await ctx.deps.db.raw(sql));
    for (const [code, sql] of Object.entries(failing)) app.get(`/${code}`, route(sql));
    app.get('/other', route('SELECT 1/0'));
    app.use(errorHandler(createLogger('silent')));
    for (const code of Object.keys(failing)) {
      const html = await request(app).get(`/${code}`);
      expect(html.status, `${code}: ${html.text.slice(0, 200)}`).toBe(400);
      expectRefusal(html, [400]);
      const json = await request(app).get(`/${code}`).set('Accept', 'application/json');
      expect(json.status, code).toBe(400);
      expect(json.body.error.code).toBe('bad_value');
    }
    // other data exceptions stay server errors: a division by zero is our bug, not the user's input
    expect((await request(app).get('/other')).status).toBe(500);
  });
});
