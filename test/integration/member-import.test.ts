import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_CHANGE_ROWS } from '../../src/db/maintenance';
import { MEMBER_COLUMNS } from '../../src/members/import/member-sheet';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { binaryParser, readSheet } from '../support/xlsx';

const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-member-uploads-'));
const ctx = useTestApp({ UPLOAD_DIR: uploadDir });
afterAll(() => fs.rmSync(uploadDir, { recursive: true, force: true }));
const db = () => ctx.database.ownerDb;
const HEADERS = MEMBER_COLUMNS.map((c) => c.header);
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
});

const SURNAMES = ['Иванова', 'Петрова', 'Сидорова', 'Кузнецова', 'Смирнова', 'Попова', 'Волкова', 'Зайцева'];
const NAMES = ['Анна', 'Мария', 'Елена', 'Ольга', 'Наталья', 'Ирина', 'Светлана', 'Татьяна', 'Юлия', 'Дарья'];

/** Row i is a distinct person: the birth date and surname/name vary with i. */
function personRow(i: number, orgInpo: string): string[] {
  const day = String((i % 28) + 1).padStart(2, '0');
  const month = String((Math.floor(i / 28) % 12) + 1).padStart(2, '0');
  const year = 1960 + (Math.floor(i / 336) % 40);
  return [
    orgInpo,
    SURNAMES[i % 8]!,
    NAMES[Math.floor(i / 8) % 10]!,
    'Ивановна',
    'ж',
    `${day}.${month}.${year}`,
    'Работающий',
    i % 3 ? 'да' : 'нет',
    'Учитель',
    '',
    '',
    '',
    '01.09.2015',
  ];
}

function upload(file: Buffer, name: string, mode: 'check' | 'commit') {
  return coordinator.agent
    .post(`/orgs/${tree.territory.inpo}/members/import?_csrf=${encodeURIComponent(coordinator.csrf)}`)
    .field('mode', mode)
    .attach('file', file, name);
}

async function xlsx(rows: (string | number | Date)[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Члены');
  rows.forEach((r) => sheet.addRow(r));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const memberCount = async () => Number((await db()('members').count('* as c'))[0]!.c);

describe('member import', () => {
  it('when 10,000 rows carry injected mistakes, then exactly those lines are reported, nothing is written; the fixed file loads all, and again adds none', async () => {
    const a = await createOrg(db(), tree.territory, 'primary');
    const b = await createOrg(db(), tree.territory, 'primary');
    const foreign = await createRegionTree(db(), 39);
    const rows = Array.from({ length: 10_000 }, (_, i) => personRow(i, i % 2 ? a.inpo : b.inpo));
    const broken = rows.map((r) => [...r]);
    const injected: [number, string, (r: string[]) => void][] = [
      [17, 'Дата рождения', (r) => (r[5] = '31.02.1980')],
      [404, 'Фамилия', (r) => (r[1] = 'Smith')],
      [2500, 'ИНПО организации', (r) => (r[0] = foreign.primary.inpo)],
      [5001, 'Категория', (r) => (r[6] = 'Космонавт')],
      [7777, 'Электронная почта', (r) => (r[10] = 'не-почта')],
      [9998, 'Педагогическая должность', (r) => (r[7] = 'может быть')],
    ];
    for (const [index, , mutate] of injected) mutate(broken[index]!);
    const before = await memberCount();

    const checked = await upload(await xlsx([HEADERS, ...broken]), 'members.xlsx', 'commit');
    expect(checked.status).toBe(422);
    const reported = [...checked.text.matchAll(/<tr><td>(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map(
      (m) => [Number(m[1]), m[2]],
    );
    // Line numbers count the header: data row i sits on line i + 2.
    expect(reported).toEqual(injected.map(([index, column]) => [index + 2, column]));
    expect(await memberCount()).toBe(before);
    const reportLink = /href="(\/imports\/[0-9a-f-]+\/errors\.csv)"/.exec(checked.text)![1]!;
    const report = await coordinator.agent.get(reportLink).expect(200);
    expect(report.text).toContain('"19";"Дата рождения"');
    const stranger = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
    expect((await stranger.agent.get(reportLink)).status).toBe(404);

    const loaded = await upload(await xlsx([HEADERS, ...rows]), 'members.xlsx', 'commit');
    expect(loaded.status, loaded.text.slice(0, 3000)).toBe(303);
    expect(await memberCount()).toBe(before + 10_000);
    const periods = await db()('member_periods as p')
      .join('members as m', 'm.id', 'p.member_id')
      .whereIn('m.organization_id', [a.id, b.id])
      .count('* as c');
    expect(Number(periods[0]!.c)).toBe(10_000);
    expect(Number((await db()('audit_log').where({ action: 'member.imported' }).count('* as c'))[0]!.c)).toBe(10_000);

    const again = await upload(await xlsx([HEADERS, ...rows]), 'members.xlsx', 'commit');
    expect(again.status).toBe(303);
    expect(await memberCount()).toBe(before + 10_000);
    const list = await coordinator.agent.get(`/orgs/${tree.territory.inpo}/members`).expect(200);
    expect(list.text).toContain('Загружено: 0; уже были в реестре: 10');
  }, 120_000);

  it('when a CSV comes from Russian Excel (Windows-1251, «;», Excel serial dates), then it reads the same; a person already elsewhere is a transfer, not a new card', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const other = await createOrg(db(), tree.territory, 'primary');
    await createMembers(db(), other, 1, {
      surname: 'Гарипова',
      name: 'Лилия',
      patronymic: null,
      birth_date: '1979-11-03',
      joined_on: '2000-01-01',
    });
    const lines = [
      HEADERS.join(';'),
      [
        org.inpo,
        'Шарипова',
        'Айгуль',
        'Ринатовна',
        'ж',
        '32874',
        'Работающий',
        'да',
        'Воспитатель',
        '8 (843) 111-22-33',
        '',
        '',
        '01.09.2019',
      ].join(';'),
      [org.inpo, 'Гарипова', 'Лилия', '', 'ж', '03.11.1979', 'Работающий', 'нет', '', '', '', '', '01.09.2020'].join(
        ';',
      ),
    ];
    const file = encodeCp1251(lines.join('\r\n'));
    const res = await upload(file, 'members.csv', 'check');
    expect(res.status).toBe(422);
    expect(res.text).toContain('<tr><td>3</td><td>Фамилия</td><td>Уже состоит на учёте; организация: ');
    const fixed = encodeCp1251(lines.slice(0, 2).join('\r\n'));
    expect((await upload(fixed, 'members.csv', 'commit')).status).toBe(303);
    // Excel's day 32874 is 01.01.1990; the Windows-1251 letters arrived intact.
    expect(await db()('members').where({ surname: 'Шарипова' }).first()).toMatchObject({
      name: 'Айгуль',
      birth_date: '1990-01-01',
      phone: '+78431112233',
    });
  });

  it('when the template is uploaded unchanged, then its hint row is skipped, nothing is imported and the file is said to have no data rows', async () => {
    const template = await coordinator.agent
      .get(`/orgs/${tree.territory.inpo}/members/import/template.xlsx`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const sheet = await readSheet(template.body as Buffer);
    expect(sheet[0]).toEqual(HEADERS);
    expect(sheet).toHaveLength(2);
    expect(sheet[1]![0]).toMatch(/^Подсказка/);
    const before = await memberCount();
    const res = await upload(template.body as Buffer, 'shablon.xlsx', 'commit');
    expect(res.status).toBe(422);
    expect(res.text).toContain('В файле нет строк с данными');
    expect(res.text).not.toContain('<td>2</td>');
    expect(await memberCount()).toBe(before);
  });

  it('when the upload is neither .xlsx nor a text .csv, then it is refused with a message next to the file field', async () => {
    const res = await upload(Buffer.from([0, 1, 2, 3, 0, 0]), 'members.csv', 'check');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Файл не похож на текстовый CSV');
    const pdf = await upload(Buffer.from('%PDF-1.4'), 'members.pdf', 'check');
    expect(pdf.text).toContain('Нужен файл .xlsx или .csv');
  });

  it('when a file holds more problems than the report keeps, then all are counted and the first 10,000 by line are listed', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const same = Object.assign(personRow(7, org.inpo), { 1: 'Повторова' });
    // on purpose no ANALYZE: the 10,000 cards the first test added are unknown to the planner (the
    // registry check once looped over all of them for every row then)
    const res = await upload(
      Buffer.from([HEADERS, ...Array.from({ length: 10_050 }, () => same)].map((r) => r.join(';')).join('\n')),
      'members.csv',
      'check',
    );
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/Ошибок: 10\s049/);
    const report = await coordinator.agent
      .get(/href="(\/imports\/[0-9a-f-]+\/errors\.csv)"/.exec(res.text)![1]!)
      .expect(200);
    const lines = report.text.trim().split('\r\n');
    expect(lines).toHaveLength(10_001);
    expect([lines[1], lines.at(-1)]).toEqual([
      '"3";"Фамилия";"Этот человек уже есть в строке 2"',
      '"10002";"Фамилия";"Этот человек уже есть в строке 2"',
    ]);
  }, 60_000);

  it('when imports load, fail their checks or are refused, then none of the uploaded files stays in the upload folder', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const rows = [
      HEADERS,
      ...Array.from({ length: 50 }, (_, i) => Object.assign(personRow(i, org.inpo), { 1: 'Папкина' })),
    ];
    const loaded = await upload(Buffer.from(rows.map((r) => r.join(';')).join('\r\n')), 'members.csv', 'commit');
    expect(loaded.status, [...loaded.text.matchAll(/<tr><td>.*?<\/tr>/g)].slice(0, 3).join('\n')).toBe(303);
    expect((await upload(await xlsx([HEADERS, personRow(1, '0000000000')]), 'members.xlsx', 'commit')).status).toBe(
      422,
    );
    const quote = await upload(Buffer.from(`${HEADERS.join(';')}\n"${org.inpo};Иванова\n`), 'members.csv', 'check');
    expect(quote.status).toBe(422);
    expect(quote.text).toContain('Не удалось прочитать CSV: кавычки не на месте');
    expect((await upload(Buffer.from('PK\u0003\u0004 broken'), 'members.xlsx', 'check')).status).toBe(422);
    for (let i = 0; i < 50 && fs.readdirSync(uploadDir).length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(fs.readdirSync(uploadDir)).toEqual([]);
  });

  it("when a large import commits, then the tables it filled are analyzed through the owner's function (the app role may not), a small one leaves them to autovacuum", async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const lastAnalyze = async () =>
      (await db().raw("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'member_periods'")).rows[0]
        .last_analyze as Date | null;
    // a surname of their own: nobody here is anyone imported by the other tests
    const rows = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => {
        const r = personRow(from + i, org.inpo);
        r[1] = 'Анализова';
        return r;
      });

    const before = await lastAnalyze();
    expect((await upload(await xlsx([HEADERS, ...rows(0, 10)]), 'small.xlsx', 'commit')).status).toBe(303);
    expect(await lastAnalyze()).toEqual(before);

    expect((await upload(await xlsx([HEADERS, ...rows(10, BULK_CHANGE_ROWS)]), 'large.xlsx', 'commit')).status).toBe(
      303,
    );
    expect(Number((await db()('members').where({ organization_id: org.id }).count('* as c'))[0]!.c)).toBe(
      BULK_CHANGE_ROWS + 10,
    );
    const after = await lastAnalyze();
    expect(after).not.toBeNull();
    expect(after!.getTime()).toBeGreaterThan(before?.getTime() ?? 0);
  });
});

/** The Windows-1251 bytes of a string of Russian and ASCII text. */
function encodeCp1251(text: string): Buffer {
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else if (code >= 0x410 && code <= 0x44f) bytes.push(code - 0x410 + 0xc0);
    else if (ch === 'Ё') bytes.push(0xa8);
    else if (ch === 'ё') bytes.push(0xb8);
    else throw new Error(`no cp1251 byte for ${ch}`);
  }
  return Buffer.from(bytes);
}

describe('member export', () => {
  it('when the filtered list is exported, then the workbook and the CSV equal the list, formulas are neutralized and the export is audited', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    await createMembers(db(), org, 3, { surname: 'Учительница', is_pedagogical: true });
    await createMembers(db(), org, 2, { surname: 'Студентка', category: 'student' });
    await createMembers(db(), org, 1, { surname: 'Выбывшая', left_on: '2024-01-01' });
    await createMembers(db(), org, 1, {
      surname: 'Злоумышленникова',
      name: '=HYPERLINK("http://evil.example","Жми")',
      patronymic: null,
      birth_date: '1980-01-01',
      joined_on: '2010-01-01',
    });
    const query = { category: 'working', status: 'active' };
    const expected = await db()('members')
      .where({ organization_id: org.id, category: 'working' })
      .whereNull('left_on')
      .orderBy([{ column: 'surname' }, { column: 'name' }, { column: 'id' }])
      .select('surname', 'name');

    const res = await coordinator.agent
      .get(`/orgs/${org.inpo}/members/export.xlsx`)
      .query(query)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const [header, ...rows] = await readSheet(res.body);
    expect(header!.slice(0, HEADERS.length)).toEqual(HEADERS);
    expect(rows.map((r) => [r[1], r[2]])).toEqual(
      expected.map((m) => [m.surname, m.name.startsWith('=') ? `'${m.name}` : m.name]),
    );
    expect(rows.find((r) => r[1] === 'Злоумышленникова')![2]).toBe('\'=HYPERLINK("http://evil.example","Жми")');

    const csv = await coordinator.agent.get(`/orgs/${org.inpo}/members/export.csv`).query(query).expect(200);
    const csvLines = csv.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(csvLines).toHaveLength(expected.length + 1);
    expect(csvLines[0]).toContain('"ИНПО организации";"Фамилия"');
    expect(csv.text).toContain('"\'=HYPERLINK(""http://evil.example"",""Жми"")"');

    const audits = await db()('audit_log')
      .where({ action: 'member.exported', entity_id: String(org.id) })
      .orderBy('id');
    expect(audits.map((a) => [a.new_values.format, a.new_values.rows, a.new_values.filter.category])).toEqual([
      ['xlsx', expected.length, 'working'],
      ['csv', expected.length, 'working'],
    ]);
  });
});
